package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

import dev.coordinator.test.NatsCluster;
import dev.coordinator.test.NatsServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read-your-writes and monotonic reads on a three-server cluster with a bucket of three replicas, each node
 * connected to a server of its own: a replica that has not applied a write yet may answer a read, and a node
 * must never read a revision older than one it wrote or received.
 */
class ReadConsistencyTests {

	private static final int PAIRS = 1000;

	private static NatsCluster cluster;

	private final List<TestNode> nodes = new ArrayList<>();

	@BeforeAll
	static void startCluster() {
		cluster = NatsCluster.start("coordinator-reads");
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@AfterEach
	void stopNodes() {
		this.nodes.forEach(TestNode::close);
	}

	@Test
	void aNodeNeverReadsARevisionOlderThanOneItWroteOrReceived() throws Exception {
		List<NatsServerProcess> servers = new ArrayList<>(cluster.servers().values());
		for (int i = 0; i < 3; i++) {
			this.nodes.add(TestNode.start(servers.get(i).url(), "reads", "node-" + i, "coordinator.bucket.replicas=3"));
		}
		Map<String, Long> received = new ConcurrentHashMap<>();
		TestNode reader = this.nodes.get(2);
		reader.coordinator().watch("/ryw/", (event) -> received.merge(event.getKey(), event.getRevision(), Math::max));
		List<String> stale = new ArrayList<>();
		Thread[] writers = new Thread[2];
		for (int n = 0; n < 2; n++) {
			Coordinator coordinator = this.nodes.get(n).coordinator();
			writers[n] = new Thread(() -> {
				for (int i = 0; i < PAIRS; i++) {
					String key = "/ryw/" + coordinator.nodeId() + "/" + (i % 50);
					long written = coordinator.put(key, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
					Optional<CoordinatorEntry> read = coordinator.get(key);
					if (read.isEmpty() || read.get().revision() < written) {
						synchronized (stale) {
							stale.add(coordinator.nodeId() + " get " + key + " after writing revision " + written + ": "
									+ read.map(CoordinatorEntry::revision).orElse(null));
						}
					}
					if (i % 100 == 99) {
						for (CoordinatorEntry entry : coordinator.list("/ryw/" + coordinator.nodeId() + "/")) {
							if (entry.key().equals(key) && entry.revision() < written) {
								synchronized (stale) {
									stale.add(coordinator.nodeId() + " list " + key + " after writing " + written);
								}
							}
						}
					}
				}
			});
			writers[n].start();
		}
		// Monotonic reads on a third node: never older than a revision it received.
		for (int i = 0; i < 2 * PAIRS && (writers[0].isAlive() || writers[1].isAlive()); i++) {
			for (Map.Entry<String, Long> seen : Map.copyOf(received).entrySet()) {
				Optional<CoordinatorEntry> read = reader.coordinator().get(seen.getKey());
				if (read.isEmpty() || read.get().revision() < seen.getValue()) {
					synchronized (stale) {
						stale.add("reader get " + seen.getKey() + " after receiving revision " + seen.getValue() + ": "
								+ read.map(CoordinatorEntry::revision).orElse(null));
					}
				}
				break;
			}
		}
		for (Thread writer : writers) {
			writer.join();
		}

		assertThat(stale).isEmpty();
	}

}
