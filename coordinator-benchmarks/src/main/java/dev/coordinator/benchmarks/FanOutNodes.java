package dev.coordinator.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import dev.coordinator.nats.NatsCoordinatorSettings;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.api.ClusterInfo;

/**
 * The nodes of a fan-out (scenarios 6, 9 and 10): library nodes, which are Spring contexts in this JVM each with
 * its own connection and consumer, and as many raw connections, each with a durable consumer of a raw bucket.
 * Node {@code i} of each side connects to server {@code i} modulo the servers given. The first node of each side
 * writes at a fixed rate and every node, the writer included, receives every write. The nodes stay up between
 * measurements, so that a scenario can raise the rate on the same nodes.
 */
final class FanOutNodes implements AutoCloseable {

	private static final String KEY_PREFIX = LibraryNode.PREFIX + "fanout/";

	private final int nodeCount;

	private final String[] keys;

	private final String[] rawSubjects;

	private final Map<String, Integer> keyIndex = new HashMap<>();

	private final Map<String, Integer> subjectIndex = new HashMap<>();

	private final String rawStream;

	private final List<LibraryNode> nodes = new ArrayList<>();

	private final List<RawNode> rawNodes = new ArrayList<>();

	private final List<MessageConsumer> rawConsumers = new ArrayList<>();

	private final CpuClock clock;

	private volatile Timings library;

	private volatile Timings raw;

	private FanOutNodes(String namespace, int nodeCount, int maxWrites, CpuClock clock) {
		this.nodeCount = nodeCount;
		String rawBucket = namespace + "_raw";
		this.rawStream = "KV_" + rawBucket;
		this.keys = new String[maxWrites];
		this.rawSubjects = new String[maxWrites];
		for (int i = 0; i < maxWrites; i++) {
			this.keys[i] = KEY_PREFIX + i;
			this.rawSubjects[i] = "$KV." + rawBucket + "." + KeyCodec.encode(this.keys[i]);
			this.keyIndex.put(this.keys[i], i);
			this.subjectIndex.put(this.rawSubjects[i], i);
		}
		this.clock = clock;
		this.library = new Timings(nodeCount, 0, clock);
		this.raw = new Timings(nodeCount, 0, clock);
	}

	/**
	 * Starts the nodes of both sides on fresh buckets.
	 * @param serverUrls the servers, which the nodes of each side connect to in turn
	 * @param namespace the library's namespace; the raw bucket is {@code <namespace>_raw}
	 * @param nodeCount nodes per side
	 * @param maxWrites the most writes a measurement issues
	 * @param settings the bucket and consumer settings of both sides, replicas included
	 */
	static FanOutNodes start(List<String> serverUrls, String namespace, int nodeCount, int maxWrites,
			BucketAndConsumerSettings settings) {
		FanOutNodes fanOut = new FanOutNodes(namespace, nodeCount, maxWrites, CpuClock.forServers(serverUrls));
		try {
			fanOut.startNodes(serverUrls, namespace, settings);
			return fanOut;
		}
		catch (RuntimeException ex) {
			fanOut.close();
			throw ex;
		}
	}

	private void startNodes(List<String> serverUrls, String namespace, BucketAndConsumerSettings settings) {
		String rawBucket = namespace + "_raw";
		for (int i = 0; i < this.nodeCount; i++) {
			int receiver = i;
			String serverUrl = serverUrls.get(i % serverUrls.size());
			LibraryNode node = LibraryNode.start(serverUrl, namespace, "node-" + i, settings);
			this.nodes.add(node);
			node.onEvent((event) -> {
				Integer index = this.keyIndex.get(event.getKey());
				if (index != null) {
					this.library.received(receiver, index);
				}
			});
			RawNode rawNode = RawNode.connect(serverUrl, "raw-" + namespace + "-" + i);
			this.rawNodes.add(rawNode);
			if (i == 0) {
				rawNode.createBucket(rawBucket, settings);
			}
			rawNode.createConsumer(rawBucket, "node-" + i, settings);
			this.rawConsumers.add(rawNode.consume(rawBucket, "node-" + i, settings, (message) -> {
				Integer index = this.subjectIndex.get(message.getSubject());
				if (index != null) {
					this.raw.received(receiver, index);
				}
			}));
		}
	}

	/**
	 * Measures both sides: the first node of each writes at a fixed rate, with up to the run's in-flight writes
	 * awaiting their acknowledgement, until every node received every write.
	 * @param run the rounds per side and the payload
	 * @param writes writes per round, at most the {@code maxWrites} the nodes were started with
	 * @param rate writes per second
	 * @param warmUp whether one warm-up round per side runs first
	 * @return the figures of the measured rounds
	 */
	Measured measure(BenchmarkRun run, int writes, int rate, boolean warmUp) throws Exception {
		if (writes > this.keys.length) {
			throw new IllegalArgumentException(writes + " writes asked of nodes started for " + this.keys.length);
		}
		Timings library = new Timings(this.nodeCount, writes, this.clock);
		Timings raw = new Timings(this.nodeCount, writes, this.clock);
		this.library = library;
		this.raw = raw;
		Coordinator coordinator = this.nodes.get(0).coordinator();
		JetStream jetStream = this.rawNodes.get(0).jetStream();
		byte[] payload = run.payload();
		long intervalNanos = 1_000_000_000L / rate;
		String what = " fan-out to " + this.nodeCount + " nodes at " + rate + " writes/s";
		BenchmarkRun.Comparison rates = run.compare(warmUp, (warmUpRound) -> {
			library.startRound();
			Pipeline pipeline = new Pipeline(run.options().inFlight());
			for (int i = 0; i < writes; i++) {
				String key = this.keys[i];
				library.issue(i, intervalNanos);
				pipeline.submit(() -> coordinator.putAsync(key, payload));
			}
			pipeline.awaitAcknowledgements();
			return library.endRound("Library" + what, warmUpRound);
		}, (warmUpRound) -> {
			raw.startRound();
			Pipeline pipeline = new Pipeline(run.options().inFlight());
			for (int i = 0; i < writes; i++) {
				String subject = this.rawSubjects[i];
				raw.issue(i, intervalNanos);
				pipeline.submit(() -> jetStream.publishAsync(subject, payload));
			}
			pipeline.awaitAcknowledgements();
			return raw.endRound("Raw" + what, warmUpRound);
		});
		return new Measured(rates, library.p99Micros(), raw.p99Micros(), library.usage(), raw.usage());
	}

	/**
	 * Describes which servers lead the bucket streams and the nodes' consumers of both sides, e.g.
	 * {@code library: stream leader c-s2, consumer leaders c-s1 x3 c-s2 x4 c-s3 x3; raw: ...}.
	 */
	String placement() {
		NatsCoordinatorSettings settings = this.nodes.get(0).bean(NatsCoordinatorSettings.class);
		List<String> libraryDurables = this.nodes.stream()
			.map((node) -> node.bean(NatsCoordinatorSettings.class).durableName())
			.toList();
		List<String> rawDurables = new ArrayList<>();
		for (int i = 0; i < this.nodeCount; i++) {
			rawDurables.add("node-" + i);
		}
		JetStreamManagement management = this.rawNodes.get(0).management();
		return "library: " + placement(management, settings.streamName(), libraryDurables) + "; raw: "
				+ placement(management, this.rawStream, rawDurables);
	}

	private static String placement(JetStreamManagement management, String stream, List<String> durables) {
		try {
			String streamLeader = leader(management.getStreamInfo(stream).getClusterInfo());
			Map<String, Integer> consumerLeaders = new TreeMap<>();
			for (String durable : durables) {
				consumerLeaders.merge(leader(management.getConsumerInfo(stream, durable).getClusterInfo()), 1,
						Integer::sum);
			}
			StringBuilder text = new StringBuilder("stream leader " + streamLeader + ", consumer leaders");
			consumerLeaders.forEach((server, count) -> text.append(' ').append(server).append(" x").append(count));
			return text.toString();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (JetStreamApiException ex) {
			throw new IllegalStateException("Could not read where '" + stream + "' and its consumers are led", ex);
		}
	}

	private static String leader(ClusterInfo cluster) {
		return (cluster != null && cluster.getLeader() != null) ? cluster.getLeader() : "(none)";
	}

	@Override
	public void close() {
		for (MessageConsumer consumer : this.rawConsumers) {
			try {
				consumer.close();
			}
			catch (Exception ex) {
				// The connection is closed next.
			}
		}
		this.rawNodes.forEach(RawNode::close);
		this.nodes.forEach(LibraryNode::close);
	}

	/**
	 * The figures of one measurement.
	 *
	 * @param rates the delivery rates of the slowest node, per round
	 * @param libraryP99 the library's p99 from issuing a write to its receipt, in microseconds
	 * @param rawP99 raw jnats's p99, in microseconds
	 * @param library the cores the server(s) and this JVM kept busy during the library's measured rounds
	 * @param raw the same during raw jnats's measured rounds
	 */
	record Measured(BenchmarkRun.Comparison rates, long libraryP99, long rawP99, Usage library, Usage raw) {
	}

	/**
	 * CPU time per wall-clock time during measured rounds: how many cores were busy on average.
	 *
	 * @param serverCores the cores the nats-server processes used, 0 where {@code /proc} cannot tell
	 * @param jvmCores the cores this JVM used (every node of both sides, the writer included)
	 */
	record Usage(double serverCores, double jvmCores) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "server %.2f, JVM %.2f cores", this.serverCores,
					this.jvmCores);
		}

	}

	/**
	 * When each write of a round was issued and when each node received it; the latencies and CPU use of the
	 * measured rounds.
	 */
	private static final class Timings {

		private final int writes;

		private final long[] issued;

		private final long[][] received;

		private final Arrivals arrivals;

		private final CpuClock clock;

		private final List<long[]> latencies = new ArrayList<>();

		private long start;

		private long serverCpuAtStart;

		private long jvmCpuAtStart;

		private long measuredNanos;

		private long serverCpuNanos;

		private long jvmCpuNanos;

		Timings(int nodes, int writes, CpuClock clock) {
			this.writes = writes;
			this.issued = new long[writes];
			this.received = new long[nodes][writes];
			this.arrivals = new Arrivals(nodes);
			this.clock = clock;
		}

		void startRound() throws IOException {
			this.arrivals.expect(this.writes);
			this.serverCpuAtStart = this.clock.serverNanos();
			this.jvmCpuAtStart = this.clock.jvmNanos();
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
			if (index < this.writes) {
				this.received[node][index] = System.nanoTime();
				this.arrivals.arrived(node);
			}
		}

		/**
		 * Waits until every node received every write of the round.
		 * @return the delivery rate of the slowest node, in events per second
		 */
		double endRound(String what, boolean warmUp) throws InterruptedException, IOException {
			this.arrivals.await(what);
			long end = System.nanoTime();
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
				this.measuredNanos += end - this.start;
				this.serverCpuNanos += this.clock.serverNanos() - this.serverCpuAtStart;
				this.jvmCpuNanos += this.clock.jvmNanos() - this.jvmCpuAtStart;
			}
			return Stats.perSecond(this.writes, slowest - this.issued[0]);
		}

		long p99Micros() {
			long[] all = this.latencies.stream().flatMapToLong(Arrays::stream).toArray();
			return Stats.percentile(all, 0.99) / 1_000;
		}

		Usage usage() {
			double wall = Math.max(1, this.measuredNanos);
			return new Usage(this.serverCpuNanos / wall, this.jvmCpuNanos / wall);
		}

	}

}
