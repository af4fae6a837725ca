package dev.coordinator.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.JetStream;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.StorageType;

/**
 * Compares bucket and consumer settings to choose the library's defaults ({@code --settings}). Each setting
 * is measured on fresh buckets against raw jnats with the same setting in the same rounds; the list of
 * settings is gone through twice, forwards and backwards, so that drift affects all alike.
 */
final class SettingsComparison {

	private static final int HOT_KEYS = 100;

	private static final int PASSES = 2;

	private SettingsComparison() {
	}

	static void run(BenchmarkOptions options, PrintStream out) throws Exception {
		try (NatsServerProcess server = NatsServerProcess.start()) {
			CoordinatorBenchmark.printHeader(server, options, out);
			BenchmarkRun run = BenchmarkRun.create(server.url(), options, BucketAndConsumerSettings.DEFAULTS);
			CoordinatorBenchmark.warmUp(run);
			BucketAndConsumerSettings defaults = BucketAndConsumerSettings.DEFAULTS;
			List<BucketAndConsumerSettings> buckets = List.of(defaults.withBucket(1, StorageType.File),
					defaults.withBucket(1, StorageType.Memory), defaults.withBucket(8, StorageType.File),
					defaults.withBucket(64, StorageType.File), defaults.withBucket(64, StorageType.Memory));
			List<BucketAndConsumerSettings> consumers = List.of(defaults.withConsumer(16, 1_000),
					defaults.withConsumer(64, 1_000), defaults.withConsumer(256, 1_000),
					defaults.withConsumer(1_000, 1_000), defaults.withConsumer(64, 256),
					defaults.withConsumer(256, 10_000), defaults.withConsumer(1_000, 10_000));
			List<BucketAndConsumerSettings> ackPolicies = List.of(defaults.withAckPolicy(AckPolicy.Explicit),
					defaults.withAckPolicy(AckPolicy.All), defaults.withAckPolicy(AckPolicy.None));
			Map<BucketAndConsumerSettings, List<BenchmarkRun.Comparison>> bucketFigures = new LinkedHashMap<>();
			Map<BucketAndConsumerSettings, List<BenchmarkRun.Comparison>> consumerFigures = new LinkedHashMap<>();
			Map<BucketAndConsumerSettings, List<LatencyScenario.Comparison>> latencyFigures = new LinkedHashMap<>();
			Map<BucketAndConsumerSettings, List<BenchmarkRun.Comparison>> ackFigures = new LinkedHashMap<>();
			int namespace = 0;
			for (int pass = 0; pass < PASSES; pass++) {
				for (BucketAndConsumerSettings settings : inPassOrder(buckets, pass)) {
					String name = "set" + namespace++;
					add(bucketFigures, settings, SyncPutScenario.measure(run, name + "a", settings));
					add(bucketFigures, settings, hotKeyWrites(run, name + "b", settings));
					add(bucketFigures, settings,
							PipelinedWriteScenario.measure(run, name + "c", settings, settings).delivered());
				}
				for (BucketAndConsumerSettings settings : inPassOrder(consumers, pass)) {
					String name = "set" + namespace++;
					add(consumerFigures, settings,
							PipelinedWriteScenario.measure(run, name + "a", settings, settings).delivered());
					latencyFigures.computeIfAbsent(settings, (key) -> new ArrayList<>())
						.add(LatencyScenario.measure(run, name + "b", settings));
				}
				for (BucketAndConsumerSettings settings : inPassOrder(ackPolicies, pass)) {
					add(ackFigures, settings,
							PipelinedWriteScenario.measure(run, "set" + namespace++, defaults, settings).delivered());
				}
			}
			out.println("bucket: sync puts/s | pipelined puts/s to " + HOT_KEYS + " hot keys (acked) | pipelined "
					+ "writes/s, 3 nodes receive all -- library vs raw with the same bucket (ratio)");
			bucketFigures.forEach((settings, figures) -> out.printf(Locale.ROOT,
					"  history %2d, %-6s | %s | %s | %s%n", settings.history(), settings.storage(), format(figures, 0),
					format(figures, 1), format(figures, 2)));
			out.println("consumer: pipelined writes/s, 3 nodes receive all (ratio) | put -> receipt on another node "
					+ "p50 / p99 us -- library vs raw with the same consumer settings");
			consumerFigures.forEach((settings, figures) -> {
				List<LatencyScenario.Comparison> latencies = latencyFigures.get(settings);
				long[] library = latencies.stream()
					.flatMapToLong((latency) -> LongStream.of(latency.library()))
					.toArray();
				long[] raw = latencies.stream().flatMapToLong((latency) -> LongStream.of(latency.raw())).toArray();
				out.printf(Locale.ROOT, "  batch %5d, max ack pending %6d | %s | library %s / %s, raw %s / %s%n",
						settings.batchSize(), settings.maxAckPending(), format(figures, 0),
						Stats.whole(Stats.percentile(library, 0.5)), Stats.whole(Stats.percentile(library, 0.99)),
						Stats.whole(Stats.percentile(raw, 0.5)), Stats.whole(Stats.percentile(raw, 0.99)));
			});
			out.println("ack policy of the 3 raw consumers: pipelined writes/s, 3 consumers receive all -- the library "
					+ "(always explicit) vs raw with the policy (ratio)");
			ackFigures.forEach((settings, figures) -> out.printf(Locale.ROOT, "  ack %-8s | %s%n",
					settings.ackPolicy(), format(figures, 0)));
		}
	}

	private static List<BucketAndConsumerSettings> inPassOrder(List<BucketAndConsumerSettings> settings, int pass) {
		List<BucketAndConsumerSettings> ordered = new ArrayList<>(settings);
		if (pass % 2 == 1) {
			Collections.reverse(ordered);
		}
		return ordered;
	}

	/**
	 * Adds a measurement to a setting's list, in the same order in every pass.
	 */
	private static void add(Map<BucketAndConsumerSettings, List<BenchmarkRun.Comparison>> figures,
			BucketAndConsumerSettings settings, BenchmarkRun.Comparison comparison) {
		figures.computeIfAbsent(settings, (key) -> new ArrayList<>()).add(comparison);
	}

	/**
	 * Formats one measurement of a setting with the rounds of all passes merged.
	 */
	private static String format(List<BenchmarkRun.Comparison> figures, int measurement) {
		int perPass = figures.size() / PASSES;
		List<Double> library = new ArrayList<>();
		List<Double> raw = new ArrayList<>();
		for (int i = measurement; i < figures.size(); i += perPass) {
			library.addAll(figures.get(i).library());
			raw.addAll(figures.get(i).raw());
		}
		BenchmarkRun.Comparison merged = new BenchmarkRun.Comparison(library, raw);
		return Stats.whole(merged.libraryMedian()) + " vs " + Stats.whole(merged.rawMedian()) + " ("
				+ Stats.ratio(merged.ratio()) + ")";
	}

	/**
	 * Measures pipelined writes that keep replacing the values of a few keys, so that the bucket's history
	 * limit removes old revisions all the time; counts until the writes were acknowledged (then waits until the
	 * library node's own consumer caught up, outside the clock).
	 */
	private static BenchmarkRun.Comparison hotKeyWrites(BenchmarkRun run, String namespace,
			BucketAndConsumerSettings settings) throws Exception {
		String[] keys = new String[HOT_KEYS];
		String[] rawSubjects = new String[HOT_KEYS];
		for (int i = 0; i < HOT_KEYS; i++) {
			keys[i] = LibraryNode.PREFIX + "hot/" + i;
			rawSubjects[i] = "$KV." + namespace + "_raw." + KeyCodec.encode(keys[i]);
		}
		int writes = run.options().pipelinedWrites();
		byte[] payload = run.payload();
		try (LibraryNode node = LibraryNode.start(run.serverUrl(), namespace, "writer", settings);
				RawNode raw = RawNode.connect(run.serverUrl(), "raw-" + namespace)) {
			raw.createBucket(namespace + "_raw", settings);
			Coordinator coordinator = node.coordinator();
			JetStream jetStream = raw.jetStream();
			return run.compare((warmUp) -> {
				Pipeline pipeline = new Pipeline(run.options().inFlight());
				long start = System.nanoTime();
				for (int i = 0; i < writes; i++) {
					String key = keys[i % HOT_KEYS];
					pipeline.submit(() -> coordinator.putAsync(key, payload));
				}
				pipeline.awaitAcknowledgements();
				double rate = Stats.perSecond(writes, System.nanoTime() - start);
				node.awaitCaughtUp();
				return rate;
			}, (warmUp) -> {
				Pipeline pipeline = new Pipeline(run.options().inFlight());
				long start = System.nanoTime();
				for (int i = 0; i < writes; i++) {
					String subject = rawSubjects[i % HOT_KEYS];
					pipeline.submit(() -> jetStream.publishAsync(subject, payload));
				}
				pipeline.awaitAcknowledgements();
				return Stats.perSecond(writes, System.nanoTime() - start);
			});
		}
	}

}
