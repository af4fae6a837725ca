package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import dev.coordinator.test.NatsCluster;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two Spring Boot nodes on a three-server JetStream cluster with a bucket of three replicas: when the server
 * that leads the bucket's stream (and, made certain, both nodes' consumers) is killed (SIGKILL) in the middle
 * of continuous writes, writes resume on the new leader, and every listener of both nodes receives every
 * acknowledged write exactly once, with the value that is stored. A write that did not get an acknowledgement is reported to the writer with an exception;
 * it may or may not have been stored (NATS cannot tell), but nothing is received that was never written.
 */
class ClusterFailoverTests {

	private static final String NAMESPACE = "failover";

	private static final String STREAM = "KV_" + NAMESPACE;

	private static final String PREFIX = "/nodes/failover-";

	private static final int WRITES_BEFORE_KILL = 300;

	private static final int WRITES_AFTER_KILL = 300;

	private static final Duration FAILURE_PAUSE = Duration.ofMillis(20);

	private static final Map<String, NatsServerProcess> servers = new LinkedHashMap<>();

	private static NatsCluster cluster;

	private static Connection admin;

	private final List<TestNode> nodes = new ArrayList<>();

	@BeforeAll
	static void startCluster() throws Exception {
		cluster = NatsCluster.start("coordinator-failover");
		servers.putAll(cluster.servers());
		admin = cluster.connect();
	}

	@AfterAll
	static void stopCluster() throws Exception {
		if (admin != null) {
			admin.close();
		}
		cluster.close();
		servers.clear();
	}

	@AfterEach
	void stopNodes() {
		this.nodes.forEach(TestNode::close);
		this.nodes.clear();
	}

	@Test
	void killingTheStreamLeaderDuringWritesLosesNoAcknowledgedWriteAndDuplicatesNone() throws Exception {
		String urls = servers.values().stream().map(NatsServerProcess::url).collect(Collectors.joining(","));
		TestNode nodeA = startNode(urls, "node-a");
		TestNode nodeB = startNode(urls, "node-b");
		Map<String, List<CoordinatorEvent>> watched = new LinkedHashMap<>();
		for (TestNode node : this.nodes) {
			List<CoordinatorEvent> events = new CopyOnWriteArrayList<>();
			node.coordinator().watch(PREFIX, events::add);
			watched.put(node.coordinator().nodeId(), events);
		}
		JetStreamManagement management = admin.jetStreamManagement();
		assertThat(management.getStreamInfo(STREAM).getConfiguration().getReplicas()).isEqualTo(3);

		String leader = await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> management.getStreamInfo(STREAM).getClusterInfo().getLeader(), (name) -> name != null);
		// The worst case, made certain: the server to be killed also leads the consumers of both nodes.
		for (TestNode node : this.nodes) {
			String consumer = NAMESPACE + "_" + node.coordinator().nodeId();
			await("consumer " + consumer + " led by " + leader).atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(500))
				.ignoreExceptions()
				.until(() -> {
					if (leader.equals(management.getConsumerInfo(STREAM, consumer).getClusterInfo().getLeader())) {
						return true;
					}
					admin.request("$JS.API.CONSUMER.LEADER.STEPDOWN." + STREAM + "." + consumer, null, Duration.ofSeconds(2));
					return false;
				});
		}
		String probe = PREFIX + "probe";
		long probeRevision = nodeB.coordinator().put(probe, bytes("probe"));
		for (TestNode node : this.nodes) {
			await(node.coordinator().nodeId() + " received the probe").atMost(Duration.ofSeconds(30))
				.until(() -> node.listeners().all.stream().anyMatch((event) -> event.getRevision() == probeRevision));
		}

		Writer writer = new Writer(List.of(nodeA.coordinator(), nodeB.coordinator()));
		writer.written.put(probe, "probe");
		writer.acknowledged.put(probe, probeRevision);
		Thread writerThread = new Thread(writer, "failover-writer");
		writerThread.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> writer.acknowledged.size() >= WRITES_BEFORE_KILL);

		Map<String, String> connectedTo = new LinkedHashMap<>();
		this.nodes.forEach((node) -> connectedTo.put(node.coordinator().nodeId(),
				node.context().getBean(Connection.class).getConnectedUrl()));
		int attemptedAtKill = writer.attempted.get();
		servers.get(leader).kill();
		long killedAt = System.nanoTime();

		await("writes acknowledged after the kill of " + leader).atMost(Duration.ofSeconds(60))
			.until(() -> writer.acknowledgedAfter(attemptedAtKill) >= WRITES_AFTER_KILL);
		writer.stop();
		await().atMost(Duration.ofSeconds(30)).until(() -> !writerThread.isAlive());
		String newLeader = await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> management.getStreamInfo(STREAM).getClusterInfo().getLeader(), (name) -> name != null);
		assertThat(newLeader).isNotEqualTo(leader);

		String sentinel = PREFIX + "sentinel";
		writer.written.put(sentinel, "end");
		writer.acknowledged.put(sentinel, nodeA.coordinator().put(sentinel, bytes("end")));
		Map<String, List<CoordinatorEvent>> listeners = new LinkedHashMap<>();
		for (TestNode node : this.nodes) {
			String id = node.coordinator().nodeId();
			listeners.put(id + " @CoordinatorListener(\"/\")", node.listeners().all);
			listeners.put(id + " @CoordinatorListener(\"/nodes/\")", node.listeners().nodes);
			listeners.put(id + " watch(\"" + PREFIX + "\")", watched.get(id));
		}
		// An event lost in transit is delivered again after the ack wait, possibly after later ones. The bound is
		// generous for a failover (seconds) and shorter than a consumer left without a pull request (45 to 90 s).
		try {
			await("every listener received every acknowledged write").atMost(Duration.ofSeconds(30))
				.until(() -> listeners.values().stream().allMatch((events) -> events.stream()
					.map(CoordinatorEvent::getKey)
					.collect(Collectors.toSet())
					.containsAll(writer.acknowledged.keySet())));
		}
		catch (ConditionTimeoutException ex) {
			describe(management, leader, writer, listeners);
			throw ex;
		}
		long caughtUp = System.nanoTime();

		long firstAfterKill = writer.acknowledgedAt.entrySet()
			.stream()
			.filter((entry) -> entry.getKey() >= attemptedAtKill)
			.mapToLong(Map.Entry::getValue)
			.min()
			.orElseThrow();
		System.out.printf("Cluster failover: killed %s (leader of the stream and of both consumers; nodes connected "
				+ "to %s) after %d writes, new stream leader %s; %d writes attempted, %d acknowledged (%d after the "
				+ "kill, the first %d ms after it), %d reported as failed; every listener had every acknowledged "
				+ "write %d ms after the kill%n", leader, connectedTo, attemptedAtKill, newLeader,
				writer.attempted.get(), writer.acknowledged.size(), writer.acknowledgedAfter(attemptedAtKill),
				(firstAfterKill - killedAt) / 1_000_000, writer.failed.size(), (caughtUp - killedAt) / 1_000_000);
		writer.failed.values()
			.stream()
			.collect(Collectors.groupingBy((failure) -> String.valueOf(rootCause(failure).getMessage()),
					TreeMap::new, Collectors.counting()))
			.forEach((cause, count) -> System.out.printf("  %d writes failed with: %s%n", count, cause));
		listeners.forEach((name, events) -> System.out.printf("  %s: %d events, %d after a higher revision%n", name,
				events.size(), behindHigherRevision(events)));

		// Every write either got a revision or threw: none vanished without a word.
		assertThat(writer.acknowledged.size() + writer.failed.size()).isEqualTo(writer.written.size());
		assertThat(writer.failed.keySet()).doesNotContainAnyElementsOf(writer.acknowledged.keySet());
		assertThat(writer.failed.values()).allSatisfy((failure) -> assertThat(failure)
			.isInstanceOf(CoordinatorException.class));
		listeners.forEach((name, events) -> assertReceivedExactlyOnce(name, events, writer));
		for (TestNode node : this.nodes) {
			Coordinator coordinator = node.coordinator();
			for (CoordinatorEvent event : node.listeners().all) {
				assertThat(coordinator.get(event.getKey())).as("stored entry of %s", event).hasValueSatisfying((entry) -> {
					assertThat(entry.revision()).isEqualTo(event.getRevision());
					assertThat(entry.value()).isEqualTo(event.getValue());
				});
			}
		}
	}

	private static void assertReceivedExactlyOnce(String listener, List<CoordinatorEvent> events, Writer writer) {
		Map<String, Long> received = new HashMap<>();
		for (CoordinatorEvent event : events) {
			assertThat(event.getAction()).as("%s: %s", listener, event).isEqualTo(CoordinatorAction.PUT);
			assertThat(writer.written).as("%s received a key that was never written: %s", listener, event)
				.containsKey(event.getKey());
			assertThat(new String(event.getValue(), StandardCharsets.UTF_8)).as("%s: value of %s", listener, event)
				.isEqualTo(writer.written.get(event.getKey()));
			Long earlier = received.put(event.getKey(), event.getRevision());
			assertThat(earlier).as("%s received %s again (first at revision %s)", listener, event, earlier).isNull();
		}
		assertThat(events.stream().map(CoordinatorEvent::getRevision)).as("%s: revisions", listener)
			.doesNotHaveDuplicates();
		Set<String> missing = writer.acknowledged.keySet()
			.stream()
			.filter((key) -> !received.containsKey(key))
			.collect(Collectors.toCollection(TreeSet::new));
		assertThat(missing).as("%s: acknowledged writes never received", listener).isEmpty();
		writer.acknowledged.forEach((key, revision) -> assertThat(received.get(key))
			.as("%s: revision of %s", listener, key)
			.isEqualTo(revision));
	}

	private void describe(JetStreamManagement management, String killed, Writer writer,
			Map<String, List<CoordinatorEvent>> listeners) {
		System.out.printf("Killed %s; acknowledged %d, failed %d%n", killed, writer.acknowledged.size(),
				writer.failed.size());
		listeners.forEach((name, events) -> {
			Set<String> received = events.stream().map(CoordinatorEvent::getKey).collect(Collectors.toSet());
			List<Long> missing = writer.acknowledged.entrySet()
				.stream()
				.filter((entry) -> !received.contains(entry.getKey()))
				.map(Map.Entry::getValue)
				.sorted()
				.toList();
			System.out.printf("%s: %d events, last %s; %d acknowledged writes missing, revisions %s%n", name,
					events.size(), events.isEmpty() ? "-" : events.get(events.size() - 1), missing.size(),
					(missing.size() > 20) ? missing.subList(0, 20) + "..." : missing);
		});
		for (TestNode node : this.nodes) {
			System.out.printf("%s: connection %s %s, last processed revision %d, %s%n", node.coordinator().nodeId(),
					node.context().getBean(Connection.class).getStatus(),
					node.context().getBean(Connection.class).getConnectedUrl(),
					node.container().lastProcessedRevision(), node.container().statistics());
			try {
				System.out.println("  " + management.getConsumerInfo(STREAM, NAMESPACE + "_" + node.coordinator().nodeId()));
			}
			catch (Exception ex) {
				System.out.println("  consumer info failed: " + ex);
			}
		}
		try {
			System.out.println("stream: " + management.getStreamInfo(STREAM).getStreamState() + " "
					+ management.getStreamInfo(STREAM).getClusterInfo());
		}
		catch (Exception ex) {
			System.out.println("stream info failed: " + ex);
		}
		servers.forEach((name, server) -> System.out.printf("---- log of %s (%s)%n%s%n", name,
				server.isRunning() ? "running" : "killed", server.log()));
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static long behindHigherRevision(List<CoordinatorEvent> events) {
		long highest = 0;
		long behind = 0;
		for (CoordinatorEvent event : events) {
			if (event.getRevision() < highest) {
				behind++;
			}
			highest = Math.max(highest, event.getRevision());
		}
		return behind;
	}

	private TestNode startNode(String urls, String nodeId) {
		TestNode node = TestNode.start(urls, NAMESPACE, nodeId, "coordinator.bucket.replicas=3",
				"coordinator.nats.ping-interval=1s", "coordinator.nats.reconnect-wait=100ms",
				"coordinator.write.timeout=2s", "coordinator.consumer.ack-wait=5s");
		this.nodes.add(node);
		return node;
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Writes distinct keys in turn through each coordinator, one at a time, and records each outcome.
	 */
	private static final class Writer implements Runnable {

		private final List<Coordinator> coordinators;

		/** Every write attempted: key to value. */
		final Map<String, String> written = new ConcurrentHashMap<>();

		/** Writes that returned a revision: key to revision. */
		final Map<String, Long> acknowledged = new ConcurrentHashMap<>();

		/** Writes that threw. */
		final Map<String, Exception> failed = new ConcurrentHashMap<>();

		/** Index of each acknowledged write, in the order attempted. */
		private final Map<String, Integer> indexes = new ConcurrentHashMap<>();

		/** When each write that got a revision returned, by index. */
		final Map<Integer, Long> acknowledgedAt = new ConcurrentHashMap<>();

		final AtomicInteger attempted = new AtomicInteger();

		private volatile boolean running = true;

		Writer(List<Coordinator> coordinators) {
			this.coordinators = coordinators;
		}

		@Override
		public void run() {
			while (this.running) {
				int index = this.attempted.getAndIncrement();
				String key = PREFIX + String.format("%06d", index);
				String value = "value-" + index;
				this.written.put(key, value);
				try {
					long revision = this.coordinators.get(index % this.coordinators.size()).put(key, bytes(value));
					this.indexes.put(key, index);
					this.acknowledgedAt.put(index, System.nanoTime());
					this.acknowledged.put(key, revision);
				}
				catch (Exception ex) {
					this.failed.put(key, ex);
					// Writes can fail at once while no stream leader is elected: do not spin.
					LockSupport.parkNanos(FAILURE_PAUSE.toNanos());
				}
			}
		}

		long acknowledgedAfter(int index) {
			return this.indexes.values().stream().filter((written) -> written >= index).count();
		}

		void stop() {
			this.running = false;
		}

	}

}
