package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import io.nats.client.JetStream;
import io.nats.client.MessageConsumer;

/**
 * Scenario 6: fan-out to 1, 5, 10 and 20 nodes. One node writes at a fixed rate and every node, the writer
 * included, receives every write. The library's nodes are Spring contexts in this one JVM, each with its own
 * connection and consumer; the raw side has as many connections, each with a durable consumer, the first of
 * them writing. The figures per size: the delivery rate of the slowest node (writes divided by the time from the
 * first write to that node's last receipt) and the end-to-end p99 from issuing a write to its receipt, over
 * every node and write.
 */
final class FanOutScenario {

	private static final String KEY_PREFIX = LibraryNode.PREFIX + "fanout/";

	private FanOutScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		BenchmarkRun rounds = new BenchmarkRun(run.serverUrl(), run.options().withRounds(scale.fanOutRounds()),
				run.settings(), run.payload());
		List<Integer> sizes = scale.fanOutSizes();
		List<Size> measured = new ArrayList<>();
		for (int nodes : sizes) {
			measured.add(measure(rounds, nodes));
		}
		StringBuilder library = new StringBuilder();
		StringBuilder raw = new StringBuilder();
		StringBuilder ratios = new StringBuilder();
		List<Double> figures = new ArrayList<>();
		boolean met = true;
		double worst = Double.MAX_VALUE;
		for (int i = 0; i < sizes.size(); i++) {
			Size size = measured.get(i);
			String separator = (i > 0) ? " / " : "";
			library.append(separator)
				.append(sizes.get(i))
				.append(": ")
				.append(Stats.whole(size.rates().libraryMedian()))
				.append(" p99 ")
				.append(Stats.whole(size.libraryP99()));
			raw.append(separator)
				.append(Stats.whole(size.rates().rawMedian()))
				.append(" p99 ")
				.append(Stats.whole(size.rawP99()));
			ratios.append(separator).append(Stats.ratio(size.rates().ratio()));
			worst = Math.min(worst, size.rates().ratio());
			met &= size.rates().ratio() >= 0.8;
			figures.addAll(List.of(size.rates().libraryMedian(), size.rates().rawMedian(), size.rates().ratio(),
					(double) size.libraryP99(), (double) size.rawP99()));
		}
		List<String> labels = sizes.stream().map(String::valueOf).toList();
		List<BarChart> charts = List.of(
				new BarChart("fan-out-rate.svg",
						"Delivery rate of the slowest node, writes at " + Stats.whole(scale.fanOutRate()) + "/s",
						"nodes (each receives every write)", "events/s per node", labels,
						measured.stream().map((size) -> size.rates().libraryMedian()).toList(),
						measured.stream().map((size) -> size.rates().rawMedian()).toList()),
				new BarChart("fan-out-p99.svg", "Write to receipt on every node, p99", "nodes", "microseconds", labels,
						measured.stream().map((size) -> (double) size.libraryP99()).toList(),
						measured.stream().map((size) -> (double) size.rawP99()).toList()));
		return new Result(6, "fan-out, events/s per node and p99 (us)", "nodes " + library, raw.toString(),
				ratios.toString(), "rate >= 0.80 at every size (" + Stats.ratio(worst) + ")", met, figures, charts);
	}

	/**
	 * Measures both sides with a number of nodes, on fresh buckets.
	 */
	private static Size measure(BenchmarkRun run, int nodeCount) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		int writes = scale.fanOutWrites();
		String namespace = "s6n" + nodeCount;
		String rawBucket = namespace + "_raw";
		String[] keys = new String[writes];
		String[] rawSubjects = new String[writes];
		Map<String, Integer> keyIndex = new HashMap<>();
		Map<String, Integer> subjectIndex = new HashMap<>();
		for (int i = 0; i < writes; i++) {
			keys[i] = KEY_PREFIX + i;
			rawSubjects[i] = "$KV." + rawBucket + "." + KeyCodec.encode(keys[i]);
			keyIndex.put(keys[i], i);
			subjectIndex.put(rawSubjects[i], i);
		}
		Timings library = new Timings(nodeCount, writes);
		Timings raw = new Timings(nodeCount, writes);
		List<LibraryNode> nodes = new ArrayList<>();
		List<RawNode> rawNodes = new ArrayList<>();
		List<MessageConsumer> rawConsumers = new ArrayList<>();
		try {
			for (int i = 0; i < nodeCount; i++) {
				int receiver = i;
				LibraryNode node = LibraryNode.start(run.serverUrl(), namespace, "node-" + i, run.settings());
				nodes.add(node);
				node.onEvent((event) -> {
					Integer index = keyIndex.get(event.getKey());
					if (index != null) {
						library.received(receiver, index);
					}
				});
				RawNode rawNode = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-" + i);
				rawNodes.add(rawNode);
				if (i == 0) {
					rawNode.createBucket(rawBucket, run.settings());
				}
				rawNode.createConsumer(rawBucket, "node-" + i, run.settings());
				rawConsumers.add(rawNode.consume(rawBucket, "node-" + i, run.settings(), (message) -> {
					Integer index = subjectIndex.get(message.getSubject());
					if (index != null) {
						raw.received(receiver, index);
					}
				}));
			}
			Coordinator coordinator = nodes.get(0).coordinator();
			JetStream jetStream = rawNodes.get(0).jetStream();
			byte[] payload = run.payload();
			long intervalNanos = 1_000_000_000L / scale.fanOutRate();
			BenchmarkRun.Comparison rates = run.compare((warmUp) -> {
				library.startRound();
				Pipeline pipeline = new Pipeline(run.options().inFlight());
				for (int i = 0; i < writes; i++) {
					String key = keys[i];
					library.issue(i, intervalNanos);
					pipeline.submit(() -> coordinator.putAsync(key, payload));
				}
				pipeline.awaitAcknowledgements();
				return library.endRound("Library fan-out to " + nodeCount + " nodes", warmUp);
			}, (warmUp) -> {
				raw.startRound();
				Pipeline pipeline = new Pipeline(run.options().inFlight());
				for (int i = 0; i < writes; i++) {
					String subject = rawSubjects[i];
					raw.issue(i, intervalNanos);
					pipeline.submit(() -> jetStream.publishAsync(subject, payload));
				}
				pipeline.awaitAcknowledgements();
				return raw.endRound("Raw fan-out to " + nodeCount + " nodes", warmUp);
			});
			return new Size(rates, library.p99Micros(), raw.p99Micros());
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
	 * The figures of one size.
	 *
	 * @param rates the delivery rates of the slowest node, per round
	 * @param libraryP99 the library's p99 from issuing a write to its receipt, in microseconds
	 * @param rawP99 raw jnats's p99, in microseconds
	 */
	private record Size(BenchmarkRun.Comparison rates, long libraryP99, long rawP99) {
	}

	/**
	 * When each write of a round was issued and when each node received it; the latencies of the measured
	 * rounds.
	 */
	private static final class Timings {

		private final int writes;

		private final long[] issued;

		private final long[][] received;

		private final Arrivals arrivals;

		private final List<long[]> latencies = new ArrayList<>();

		private long start;

		Timings(int nodes, int writes) {
			this.writes = writes;
			this.issued = new long[writes];
			this.received = new long[nodes][writes];
			this.arrivals = new Arrivals(nodes);
		}

		void startRound() {
			this.arrivals.expect(this.writes);
			this.start = System.nanoTime();
		}

		/**
		 * Waits until a write is due by the fixed rate, and notes when it is issued.
		 */
		void issue(int index, long intervalNanos) {
			long due = this.start + index * intervalNanos;
			long now = System.nanoTime();
			while (now < due) {
				LockSupport.parkNanos(due - now);
				now = System.nanoTime();
			}
			this.issued[index] = now;
		}

		void received(int node, int index) {
			this.received[node][index] = System.nanoTime();
			this.arrivals.arrived(node);
		}

		/**
		 * Waits until every node received every write of the round.
		 * @return the delivery rate of the slowest node, in events per second
		 */
		double endRound(String what, boolean warmUp) throws InterruptedException {
			this.arrivals.await(what);
			long slowest = 0;
			long[] roundLatencies = new long[this.received.length * this.writes];
			int next = 0;
			for (long[] node : this.received) {
				slowest = Math.max(slowest, Arrays.stream(node).max().orElse(0));
				for (int i = 0; i < this.writes; i++) {
					roundLatencies[next++] = node[i] - this.issued[i];
				}
			}
			if (!warmUp) {
				this.latencies.add(roundLatencies);
			}
			return Stats.perSecond(this.writes, slowest - this.issued[0]);
		}

		long p99Micros() {
			long[] all = this.latencies.stream().flatMapToLong(Arrays::stream).toArray();
			return Stats.percentile(all, 0.99) / 1_000;
		}

	}

}
