package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import io.nats.client.JetStream;
import io.nats.client.MessageConsumer;

/**
 * Scenario 3: sustained pipelined writes while three nodes each receive every one of them. The library
 * writes with {@link Coordinator#putAsync} on one of three Spring nodes; raw jnats publishes to
 * {@code $KV.<bucket>.<key>} with {@link JetStream#publishAsync} on one of three connections that each read
 * the bucket's stream with a durable consumer. A round writes each of its keys once, so every node receives
 * every write whatever the bucket's history; the rate counts until the last node received the last write.
 */
final class PipelinedWriteScenario {

	private static final int NODES = 3;

	private PipelinedWriteScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		Comparison comparison = measure(run, "s3", run.settings(), run.settings());
		BenchmarkRun.Comparison rates = comparison.delivered();
		double ratio = rates.ratio();
		BenchmarkRun.Comparison acknowledged = comparison.acknowledged();
		return new Result(3, "pipelined writes, 3 nodes receive all",
				Stats.whole(rates.libraryMedian()) + " writes/s (acked " + Stats.whole(acknowledged.libraryMedian())
						+ "/s)",
				Stats.whole(rates.rawMedian()) + " writes/s (acked " + Stats.whole(acknowledged.rawMedian()) + "/s)",
				Stats.ratio(ratio), ">= 0.80", ratio >= 0.8,
				List.of(rates.libraryMedian(), rates.rawMedian(), ratio, acknowledged.libraryMedian(),
						acknowledged.rawMedian()));
	}

	/**
	 * Measures both sides on fresh buckets named after a namespace.
	 * @param run the run
	 * @param namespace the library's namespace; the raw bucket is named after it
	 * @param librarySettings the library's bucket and consumer settings
	 * @param rawSettings raw jnats's bucket and consumer settings
	 * @return the rates at which writes were delivered to every node and acknowledged
	 */
	static Comparison measure(BenchmarkRun run, String namespace, BucketAndConsumerSettings librarySettings,
			BucketAndConsumerSettings rawSettings) throws Exception {
		int writes = run.options().pipelinedWrites();
		String[] keys = new String[writes];
		String rawBucket = namespace + "_raw";
		String[] rawSubjects = new String[writes];
		for (int i = 0; i < writes; i++) {
			keys[i] = LibraryNode.PREFIX + "pipelined/" + i;
			rawSubjects[i] = "$KV." + rawBucket + "." + KeyCodec.encode(keys[i]);
		}
		byte[] payload = run.payload();
		List<LibraryNode> nodes = new ArrayList<>();
		List<RawNode> rawNodes = new ArrayList<>();
		List<MessageConsumer> rawConsumers = new ArrayList<>();
		Arrivals libraryArrivals = new Arrivals(NODES);
		Arrivals rawArrivals = new Arrivals(NODES);
		try {
			for (int i = 0; i < NODES; i++) {
				int receiver = i;
				LibraryNode node = LibraryNode.start(run.serverUrl(), namespace, "node-" + i, librarySettings);
				nodes.add(node);
				node.onEvent((event) -> libraryArrivals.arrived(receiver));
				RawNode rawNode = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-" + i);
				rawNodes.add(rawNode);
				if (i == 0) {
					rawNode.createBucket(rawBucket, rawSettings);
				}
				rawNode.createConsumer(rawBucket, "node-" + i, rawSettings);
				rawConsumers.add(rawNode.consume(rawBucket, "node-" + i, rawSettings,
						(message) -> rawArrivals.arrived(receiver)));
			}
			Coordinator coordinator = nodes.get(0).coordinator();
			JetStream jetStream = rawNodes.get(0).jetStream();
			List<Double> libraryAcknowledged = new ArrayList<>();
			List<Double> rawAcknowledged = new ArrayList<>();
			BenchmarkRun.Comparison delivered = run.compare((warmUp) -> {
				libraryArrivals.expect(writes);
				Pipeline pipeline = new Pipeline(run.options().inFlight());
				long start = System.nanoTime();
				for (int i = 0; i < writes; i++) {
					String key = keys[i];
					pipeline.submit(() -> coordinator.putAsync(key, payload));
				}
				pipeline.awaitAcknowledgements();
				long acknowledged = System.nanoTime();
				libraryArrivals.await("Library round");
				long end = System.nanoTime();
				if (!warmUp) {
					libraryAcknowledged.add(Stats.perSecond(writes, acknowledged - start));
				}
				return Stats.perSecond(writes, end - start);
			}, (warmUp) -> {
				rawArrivals.expect(writes);
				Pipeline pipeline = new Pipeline(run.options().inFlight());
				long start = System.nanoTime();
				for (int i = 0; i < writes; i++) {
					String subject = rawSubjects[i];
					pipeline.submit(() -> jetStream.publishAsync(subject, payload));
				}
				pipeline.awaitAcknowledgements();
				long acknowledged = System.nanoTime();
				rawArrivals.await("Raw round");
				long end = System.nanoTime();
				if (!warmUp) {
					rawAcknowledged.add(Stats.perSecond(writes, acknowledged - start));
				}
				return Stats.perSecond(writes, end - start);
			});
			return new Comparison(delivered, new BenchmarkRun.Comparison(libraryAcknowledged, rawAcknowledged));
		}
		finally {
			for (MessageConsumer consumer : rawConsumers) {
				consumer.close();
			}
			rawNodes.forEach(RawNode::close);
			nodes.forEach(LibraryNode::close);
		}
	}

	/**
	 * The rates of both sides.
	 *
	 * @param delivered writes per second until every node received every write
	 * @param acknowledged writes per second until the server acknowledged every write
	 */
	record Comparison(BenchmarkRun.Comparison delivered, BenchmarkRun.Comparison acknowledged) {
	}

}
