package dev.coordinator.benchmarks;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Counts the events each receiver of a round got and lets the round wait until every receiver got all.
 */
final class Arrivals {

	private final int receivers;

	private volatile AtomicIntegerArray counts;

	private volatile int expected;

	private volatile CountDownLatch complete;

	Arrivals(int receivers) {
		this.receivers = receivers;
		this.counts = new AtomicIntegerArray(receivers);
		this.complete = new CountDownLatch(receivers);
	}

	/**
	 * Starts a round in which each receiver is to get a number of events.
	 */
	void expect(int events) {
		this.counts = new AtomicIntegerArray(this.receivers);
		this.complete = new CountDownLatch(this.receivers);
		this.expected = events;
	}

	/**
	 * Records that a receiver got an event.
	 */
	void arrived(int receiver) {
		if (this.counts.incrementAndGet(receiver) == this.expected) {
			this.complete.countDown();
		}
	}

	/**
	 * Waits until every receiver got the events of the round.
	 * @throws IllegalStateException when they did not arrive in time
	 */
	void await(String what) throws InterruptedException {
		if (!this.complete.await(BenchmarkRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
			int[] got = new int[this.receivers];
			Arrays.setAll(got, this.counts::get);
			throw new IllegalStateException(what + ": receivers got " + Arrays.toString(got) + " of " + this.expected
					+ " events within " + BenchmarkRun.TIMEOUT);
		}
	}

}
