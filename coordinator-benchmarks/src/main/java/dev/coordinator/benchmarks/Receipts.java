package dev.coordinator.benchmarks;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * When a reader received each revision, for timing writes one at a time: the reader adds what it receives, the
 * writer awaits the revision it wrote.
 */
final class Receipts {

	private final BlockingQueue<long[]> received = new LinkedBlockingQueue<>();

	/**
	 * Records that a revision was received now.
	 * @param revision the revision
	 */
	void add(long revision) {
		this.received.add(new long[] { revision, System.nanoTime() });
	}

	/**
	 * Returns when the reader received a revision, skipping earlier receipts.
	 * @param revision the revision
	 * @return its receipt time, by {@link System#nanoTime()}
	 */
	long await(long revision) throws InterruptedException {
		while (true) {
			long[] receipt = this.received.poll(BenchmarkRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (receipt == null) {
				throw new IllegalStateException("Revision " + revision + " was not received within "
						+ BenchmarkRun.TIMEOUT);
			}
			if (receipt[0] == revision) {
				return receipt[1];
			}
		}
	}

}
