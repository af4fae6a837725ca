package dev.coordinator.benchmarks;

import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import io.nats.client.KeyValue;
import io.nats.client.MessageConsumer;

/**
 * Scenario 1: synchronous writes, one at a time, {@link Coordinator#put} against {@link KeyValue#put} on a
 * bucket with the same settings. The library node runs as in an application, so it also receives its own
 * writes as events; the raw writer reads its own writes too, with a durable consumer on its connection.
 */
final class SyncPutScenario {

	private static final int KEYS = 1_000;

	private SyncPutScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		BenchmarkRun.Comparison rates = measure(run, "s1", run.settings());
		double ratio = rates.ratio();
		return new Result(1, "sync put", Stats.whole(rates.libraryMedian()) + " puts/s",
				Stats.whole(rates.rawMedian()) + " puts/s", Stats.ratio(ratio), ">= 0.90", ratio >= 0.9,
				List.of(rates.libraryMedian(), rates.rawMedian(), ratio));
	}

	/**
	 * Measures both sides on fresh buckets named after a namespace.
	 * @return puts per second
	 */
	static BenchmarkRun.Comparison measure(BenchmarkRun run, String namespace, BucketAndConsumerSettings settings)
			throws Exception {
		String[] keys = new String[KEYS];
		String[] rawKeys = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			keys[i] = LibraryNode.PREFIX + "put/" + i;
			rawKeys[i] = KeyCodec.encode(keys[i]);
		}
		int puts = run.options().syncPuts();
		byte[] payload = run.payload();
		try (LibraryNode node = LibraryNode.start(run.serverUrl(), namespace, "writer", settings);
				RawNode raw = RawNode.connect(run.serverUrl(), "raw-" + namespace)) {
			String rawBucket = namespace + "_raw";
			raw.createBucket(rawBucket, settings);
			raw.createConsumer(rawBucket, "writer", settings);
			KeyValue keyValue = raw.keyValue(rawBucket);
			Coordinator coordinator = node.coordinator();
			try (MessageConsumer ownWrites = raw.consume(rawBucket, "writer", settings, (message) -> {
			})) {
				return run.compare((warmUp) -> {
					long start = System.nanoTime();
					for (int i = 0; i < puts; i++) {
						coordinator.put(keys[i % KEYS], payload);
					}
					double rate = Stats.perSecond(puts, System.nanoTime() - start);
					node.awaitCaughtUp();
					return rate;
				}, (warmUp) -> {
					long start = System.nanoTime();
					for (int i = 0; i < puts; i++) {
						keyValue.put(rawKeys[i % KEYS], payload);
					}
					double rate = Stats.perSecond(puts, System.nanoTime() - start);
					RawNode.awaitCaughtUp(raw.connection(), "KV_" + rawBucket, "writer", settings.ackPolicy());
					return rate;
				});
			}
		}
	}

}
