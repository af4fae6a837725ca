package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import io.nats.client.KeyValue;
import io.nats.client.MessageConsumer;

/**
 * Scenario 2: the time from issuing a write on one node to its receipt on another, one write at a time.
 * The library's write is a {@link Coordinator#put} received by a {@code @CoordinatorListener} of a second
 * Spring node; the raw write is a {@link KeyValue#put} received by a durable pull consumer on a second
 * connection. As a library node receives its own writes, the raw writer reads them too, with a durable consumer
 * of its own.
 */
final class LatencyScenario {

	private static final int KEYS = 1_000;

	/**
	 * Each of the run's rounds is split in this many shorter ones, so that the sides take turns every quarter
	 * of a second or so: the p99 sits where the distribution turns steep, and a second of interference by
	 * other processes then moved the ratio by a fifth in one side's longer round.
	 */
	static final int SPLIT = 4;

	private LatencyScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		Comparison latencies = measure(run, "s2", run.settings(), SPLIT);
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
				ratioText.toString(), "p50 <= 1.15, p99 <= 1.30", ratios[0] <= 1.15 && ratios[1] <= 1.3, figures);
	}

	/**
	 * Measures both sides on fresh buckets named after a namespace.
	 * @return the latencies of the measured rounds
	 */
	static Comparison measure(BenchmarkRun run, String namespace, BucketAndConsumerSettings settings)
			throws Exception {
		return measure(run, namespace, settings, 1);
	}

	/**
	 * Measures both sides on fresh buckets named after a namespace, in rounds split into shorter ones.
	 * @param split how many rounds of as many fewer writes each of the run's rounds becomes
	 * @return the latencies of the measured rounds
	 */
	static Comparison measure(BenchmarkRun run, String namespace, BucketAndConsumerSettings settings, int split)
			throws Exception {
		String[] keys = new String[KEYS];
		String[] rawKeys = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			keys[i] = LibraryNode.PREFIX + "latency/" + i;
			rawKeys[i] = KeyCodec.encode(keys[i]);
		}
		int samples = Math.max(1, run.options().latencySamples() / split);
		BenchmarkRun rounds = new BenchmarkRun(run.serverUrl(), run.options().withRounds(run.options().rounds() * split),
				run.settings(), run.payload());
		int measured = samples * rounds.options().rounds();
		byte[] payload = run.payload();
		String rawBucket = namespace + "_raw";
		Receipts receipts = new Receipts();
		try (LibraryNode writer = LibraryNode.start(run.serverUrl(), namespace, "writer", settings);
				LibraryNode reader = LibraryNode.start(run.serverUrl(), namespace, "reader", settings);
				RawNode rawWriter = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-writer");
				RawNode rawReader = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-reader")) {
			rawWriter.createBucket(rawBucket, settings);
			rawReader.createConsumer(rawBucket, "reader", settings);
			rawWriter.createConsumer(rawBucket, "writer", settings);
			KeyValue keyValue = rawWriter.keyValue(rawBucket);
			Coordinator coordinator = writer.coordinator();
			reader.onEvent((event) -> receipts.add(event.getRevision()));
			Samples library = new Samples(measured);
			Samples raw = new Samples(measured);
			try (MessageConsumer consumer = rawReader.consume(rawBucket, "reader", settings,
					(message) -> receipts.add(message.metaData().streamSequence()));
					MessageConsumer ownWrites = rawWriter.consume(rawBucket, "writer", settings, (message) -> {
					})) {
				rounds.compare((warmUp) -> {
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
	 * The latencies of one side's measured rounds.
	 */
	static final class Samples {

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
