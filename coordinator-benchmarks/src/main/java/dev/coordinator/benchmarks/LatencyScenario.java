package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import io.nats.client.KeyValue;
import io.nats.client.MessageConsumer;

/**
 * Scenario 2: the time from issuing a write on one node to its receipt on another, one write at a time.
 * The library's write is a {@link Coordinator#put} received by a {@code @CoordinatorListener} of a second
 * Spring node; the raw write is a {@link KeyValue#put} received by a durable pull consumer on a second
 * connection.
 */
final class LatencyScenario {

	private static final int KEYS = 1_000;

	private LatencyScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		Comparison latencies = measure(run, "s2", run.settings());
		double[] fractions = { 0.5, 0.99, 0.999 };
		String[] names = { "p50", "p99", "p999" };
		double[] ratios = new double[fractions.length];
		StringBuilder library = new StringBuilder();
		StringBuilder raw = new StringBuilder();
		StringBuilder ratioText = new StringBuilder();
		List<Double> figures = new ArrayList<>();
		for (int i = 0; i < fractions.length; i++) {
			long libraryValue = Stats.percentile(latencies.library(), fractions[i]);
			long rawValue = Stats.percentile(latencies.raw(), fractions[i]);
			ratios[i] = (double) libraryValue / rawValue;
			String separator = (i > 0) ? " / " : "";
			library.append(separator).append(names[i]).append(' ').append(Stats.whole(libraryValue));
			raw.append(separator).append(names[i]).append(' ').append(Stats.whole(rawValue));
			ratioText.append(separator).append(names[i]).append(' ').append(Stats.ratio(ratios[i]));
			figures.addAll(List.of((double) libraryValue, (double) rawValue, ratios[i]));
		}
		return new Result(2, "put -> receipt on another node (us)", library.toString(), raw.toString(),
				ratioText.toString(), "p50 <= 1.20, p99 <= 1.50", ratios[0] <= 1.2 && ratios[1] <= 1.5, figures);
	}

	/**
	 * Measures both sides on fresh buckets named after a namespace.
	 * @return the latencies of the measured rounds
	 */
	static Comparison measure(BenchmarkRun run, String namespace, BucketAndConsumerSettings settings)
			throws Exception {
		String[] keys = new String[KEYS];
		String[] rawKeys = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			keys[i] = LibraryNode.PREFIX + "latency/" + i;
			rawKeys[i] = KeyCodec.encode(keys[i]);
		}
		int samples = run.options().latencySamples();
		int measured = samples * run.options().rounds();
		byte[] payload = run.payload();
		String rawBucket = namespace + "_raw";
		Receipts receipts = new Receipts();
		try (LibraryNode writer = LibraryNode.start(run.serverUrl(), namespace, "writer", settings);
				LibraryNode reader = LibraryNode.start(run.serverUrl(), namespace, "reader", settings);
				RawNode rawWriter = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-writer");
				RawNode rawReader = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-reader")) {
			rawWriter.createBucket(rawBucket, settings);
			rawReader.createConsumer(rawBucket, "reader", settings);
			KeyValue keyValue = rawWriter.keyValue(rawBucket);
			Coordinator coordinator = writer.coordinator();
			reader.onEvent((event) -> receipts.add(event.getRevision()));
			Samples library = new Samples(measured);
			Samples raw = new Samples(measured);
			try (MessageConsumer consumer = rawReader.consume(rawBucket, "reader", settings,
					(message) -> receipts.add(message.metaData().streamSequence()))) {
				run.compare((warmUp) -> {
					for (int i = 0; i < samples; i++) {
						long start = System.nanoTime();
						long revision = coordinator.put(keys[i % KEYS], payload);
						library.add(warmUp, receipts.await(revision) - start);
					}
					return samples;
				}, (warmUp) -> {
					for (int i = 0; i < samples; i++) {
						long start = System.nanoTime();
						long revision = keyValue.put(rawKeys[i % KEYS], payload);
						raw.add(warmUp, receipts.await(revision) - start);
					}
					return samples;
				});
			}
			return new Comparison(library.micros(), raw.micros());
		}
	}

	/**
	 * The latencies of both sides' measured rounds.
	 *
	 * @param library the library's latencies in microseconds
	 * @param raw raw jnats's latencies in microseconds
	 */
	record Comparison(long[] library, long[] raw) {
	}

	/**
	 * When the reader received each revision.
	 */
	private static final class Receipts {

		private final BlockingQueue<long[]> received = new LinkedBlockingQueue<>();

		void add(long revision) {
			this.received.add(new long[] { revision, System.nanoTime() });
		}

		/**
		 * Returns when the reader received a revision.
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

	/**
	 * The latencies of one side's measured rounds.
	 */
	private static final class Samples {

		private final long[] nanos;

		private int count;

		Samples(int capacity) {
			this.nanos = new long[capacity];
		}

		void add(boolean warmUp, long value) {
			if (!warmUp) {
				this.nanos[this.count++] = value;
			}
		}

		long[] micros() {
			long[] micros = new long[this.count];
			for (int i = 0; i < this.count; i++) {
				micros[i] = this.nanos[i] / 1_000;
			}
			return micros;
		}

	}

}
