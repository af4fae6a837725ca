package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * nats-server killed (SIGKILL) and restarted on the same store three times while two nodes write: every
 * listener on every node receives every acknowledged write and every stored one, none twice, nothing that
 * was not written; no write is dropped without its writer being told; an initial-state listener's view ends
 * equal to the store.
 */
class ServerRestartTests {

	private static final String[] FAULT_TOLERANT = { "coordinator.nats.ping-interval=1s",
			"coordinator.nats.reconnect-wait=100ms", "coordinator.write.timeout=1s", "coordinator.write.attempts=2",
			"coordinator.consumer.ack-wait=5s" };

	@RegisterExtension
	final NatsServerExtension server = new NatsServerExtension();

	private final List<TestNode> nodes = new ArrayList<>();

	@AfterEach
	void stop() {
		this.nodes.forEach(TestNode::close);
	}

	@Test
	void everyAcknowledgedWriteReachesEveryListenerExactlyOnceAcrossThreeServerKills() throws Exception {
		for (String id : List.of("node-a", "node-b")) {
			this.nodes.add(TestNode.start(this.server.url(), "restarts", id, FAULT_TOLERANT));
		}
		AtomicBoolean writing = new AtomicBoolean(true);
		List<Writer> writers = this.nodes.stream().map((node) -> new Writer(node, writing)).toList();
		writers.forEach(Thread::start);

		for (int kill = 0; kill < 3; kill++) {
			int acknowledgedBefore = acknowledged(writers).size();
			await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged(writers).size() >= acknowledgedBefore + 100);
			this.server.process().kill();
			this.server.process().restart();
		}
		int acknowledgedAfterLastKill = acknowledged(writers).size();
		await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged(writers).size() >= acknowledgedAfterLastKill + 100);
		writing.set(false);
		for (Writer writer : writers) {
			writer.join();
		}

		Map<String, Long> acknowledged = acknowledged(writers);
		Set<String> unknown = new HashSet<>();
		writers.forEach((writer) -> unknown.addAll(writer.unknown));
		Map<String, String> stored = new ConcurrentHashMap<>();
		// Right after a restart the server may still be slow to answer: a read that times out is tried again.
		await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(CoordinatorException.class).until(() -> {
			this.nodes.get(0).coordinator().list("/state/").forEach((entry) -> stored.put(entry.key(),
					new String(entry.value(), StandardCharsets.UTF_8)));
			return true;
		});
		assertThat(stored).allSatisfy((key, value) -> assertThat(value).isEqualTo(key));
		assertThat(stored.keySet()).containsAll(acknowledged.keySet());
		assertThat(unknown).as("writes reported as failed or unknown").allSatisfy((key) -> assertThat(key).isNotIn(acknowledged.keySet()));
		assertThat(stored.keySet()).isSubsetOf(union(acknowledged.keySet(), unknown));
		for (TestNode node : this.nodes) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> TestNode.keys(node.listeners().all).containsAll(stored.keySet()));
			// An initial-state listener's view equals the store, also after revisions were lost with a crash.
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(differences(node.listeners().stateView, stored))
				.as("initial-state view of %s against the store", node.coordinator().nodeId())
				.isEmpty());
			List<CoordinatorEvent> received = node.listeners().all;
			// Each key is written once, so a key received twice is an event received twice.
			assertThat(TestNode.keys(received)).as("no event twice").doesNotHaveDuplicates();
			// A write cut off by the kill is reported to its writer as unknown. It may have reached listeners
			// and still be missing from the store after the restart (the server had not stored it yet, and
			// reuses its revision for the next write).
			assertThat(TestNode.keys(received)).as("only written keys").isSubsetOf(union(acknowledged.keySet(), unknown));
			for (CoordinatorEvent event : received) {
				assertThat(new String(event.getValue(), StandardCharsets.UTF_8)).isEqualTo(event.getKey());
				Long revision = acknowledged.get(event.getKey());
				if (revision != null) {
					assertThat(event.getRevision()).isEqualTo(revision);
				}
			}
		}
	}

	/**
	 * Entries of a view that the store lacks or has otherwise, and stored entries the view lacks.
	 */
	private static List<String> differences(Map<String, String> view, Map<String, String> stored) {
		List<String> differences = new ArrayList<>();
		view.forEach((key, value) -> {
			if (!value.equals(stored.get(key))) {
				differences.add("view has " + key + "=" + value + ", store " + stored.get(key));
			}
		});
		stored.keySet().stream().filter((key) -> !view.containsKey(key)).forEach((key) -> differences.add("view lacks " + key));
		return differences;
	}

	private static Map<String, Long> acknowledged(List<Writer> writers) {
		Map<String, Long> all = new ConcurrentHashMap<>();
		writers.forEach((writer) -> all.putAll(writer.acknowledged));
		return all;
	}

	private static Set<String> union(Set<String> a, Set<String> b) {
		Set<String> union = new HashSet<>(a);
		union.addAll(b);
		return union;
	}

	/**
	 * Writes distinct keys until told to stop, remembering which were acknowledged and which failed.
	 */
	private static final class Writer extends Thread {

		private final TestNode node;

		private final AtomicBoolean writing;

		private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();

		private final Set<String> unknown = ConcurrentHashMap.newKeySet();

		Writer(TestNode node, AtomicBoolean writing) {
			this.node = node;
			this.writing = writing;
		}

		@Override
		public void run() {
			for (int i = 0; this.writing.get(); i++) {
				String key = "/state/" + this.node.coordinator().nodeId() + "-" + i;
				try {
					this.acknowledged.put(key, this.node.coordinator().put(key, key.getBytes(StandardCharsets.UTF_8)));
				}
				catch (CoordinatorException ex) {
					this.unknown.add(key);
				}
			}
		}

	}

}
