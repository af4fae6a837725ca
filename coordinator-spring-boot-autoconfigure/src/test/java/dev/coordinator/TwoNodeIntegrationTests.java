package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.coordinator.TestNode.keys;
import static dev.coordinator.TestNode.revisions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two Spring Boot nodes on one real nats-server.
 */
class TwoNodeIntegrationTests {

	private static final AtomicInteger namespaces = new AtomicInteger();

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private String namespace;

	private TestNode nodeA;

	private TestNode nodeB;

	@BeforeEach
	void startNodes() {
		this.namespace = "two-nodes-" + namespaces.incrementAndGet();
		this.nodeA = TestNode.start(server.url(), this.namespace, "node-a");
		this.nodeB = TestNode.start(server.url(), this.namespace, "node-b");
	}

	@AfterEach
	void stopNodes() {
		this.nodeA.close();
		this.nodeB.close();
	}

	@Test
	void putOnOneNodeReachesThePrefixListenersOfBothNodes() {
		long revision = this.nodeA.coordinator().put("/nodes/node-a", bytes("up"));
		long schemaRevision = this.nodeA.coordinator().put("/schema/t1", bytes("{}"));

		for (TestNode node : List.of(this.nodeA, this.nodeB)) {
			await().until(() -> node.listeners().schema.size() == 1);
			assertThat(node.listeners().nodes).singleElement().satisfies((event) -> {
				assertThat(event.getKey()).isEqualTo("/nodes/node-a");
				assertThat(event.getAction()).isEqualTo(CoordinatorAction.PUT);
				assertThat(event.getValue()).isEqualTo(bytes("up"));
				assertThat(event.getRevision()).isEqualTo(revision);
				assertThat(event.getOrigin()).isEqualTo("node-a");
				assertThat(event.isLocal()).isEqualTo(node == this.nodeA);
				assertThat(event.getSource()).isSameAs(node.coordinator());
			});
			// Events arrive in log order, so the /nodes/ event was processed before the /schema/ one.
			assertThat(node.listeners().schema).singleElement()
				.satisfies((event) -> assertThat(event.getRevision()).isEqualTo(schemaRevision));
			assertThat(keys(node.listeners().all)).containsExactly("/nodes/node-a", "/schema/t1");
			assertThat(node.listeners().nodeDeletes).isEmpty();
		}
	}

	@Test
	void deleteAndDeletePrefixGiveDeleteEventsWithFullKeys() {
		Coordinator a = this.nodeA.coordinator();
		a.put("/nodes/pool/1", bytes("1"));
		a.put("/nodes/pool/2", bytes("2"));
		a.put("/nodes/pool-x", bytes("x"));
		a.put("/nodes/other", bytes("o"));

		assertThat(a.deletePrefix("/nodes/pool/")).isEqualTo(2);
		assertThat(a.delete("/nodes/other")).isTrue();
		assertThat(a.delete("/nodes/other")).isFalse();
		assertThat(a.delete("/nodes/never-written")).isFalse();

		for (TestNode node : List.of(this.nodeA, this.nodeB)) {
			await().until(() -> node.listeners().nodeDeletes.size() == 3);
			assertThat(node.listeners().nodeDeletes).allSatisfy((event) -> {
				assertThat(event.getAction()).isEqualTo(CoordinatorAction.DELETE);
				assertThat(event.getValue()).isNull();
				assertThat(event.getOrigin()).isEqualTo("node-a");
			});
			assertThat(keys(node.listeners().nodeDeletes)).containsExactly("/nodes/pool/1", "/nodes/pool/2",
					"/nodes/other");
		}
		assertThat(a.keys("/nodes/")).containsExactly("/nodes/pool-x");
		assertThat(this.nodeB.coordinator().get("/nodes/pool/1")).isEmpty();
	}

	@Test
	void closedRegistrationGetsNothingMore() {
		Coordinator b = this.nodeB.coordinator();
		List<CoordinatorEvent> watched = new CopyOnWriteArrayList<>();
		List<CoordinatorEvent> sentinel = new CopyOnWriteArrayList<>();
		Registration registration = b.watch("/w/", watched::add);
		b.watch("/sentinel", sentinel::add);

		this.nodeA.coordinator().put("/w/1", bytes("1"));
		await().until(() -> watched.size() == 1);
		registration.close();
		registration.close();
		this.nodeA.coordinator().put("/w/2", bytes("2"));
		this.nodeA.coordinator().put("/sentinel", bytes("s"));

		await().until(() -> sentinel.size() == 1);
		assertThat(keys(watched)).containsExactly("/w/1");
	}

	@Test
	void throwingListenerDoesNotStopTheOtherListenersNorConsumption() {
		List<CoordinatorEvent> watched = new CopyOnWriteArrayList<>();
		this.nodeB.coordinator().watch("/fail/", (event) -> {
			throw new IllegalStateException("watch failure");
		});
		this.nodeB.coordinator().watch("/fail/", watched::add);
		long revision = this.nodeA.coordinator().put("/fail/x", bytes("x"));
		this.nodeA.coordinator().put("/nodes/after-failure", bytes("ok"));
		this.nodeA.coordinator().put("/fail/y", bytes("y"));

		for (TestNode node : List.of(this.nodeA, this.nodeB)) {
			await().until(() -> node.listeners().afterFailure.size() == 2);
			assertThat(node.listeners().afterFailure.get(0).getRevision()).isEqualTo(revision);
			assertThat(keys(node.listeners().nodes)).containsExactly("/nodes/after-failure");
		}
		await().until(() -> watched.size() == 2);
		assertThat(keys(watched)).containsExactly("/fail/x", "/fail/y");
	}

	@Test
	void silentWritesAreStoredButNotAnnounced() {
		Coordinator a = this.nodeA.coordinator();
		a.put("/nodes/silent", bytes("quiet"), false);
		a.put("/nodes/loud", bytes("loud"));
		a.put("/nodes/gone", bytes("x"));
		// Read before it is deleted: with history 1 a later write of the key supersedes an unread one.
		await().until(() -> this.nodeB.listeners().nodes.size() == 2);
		a.delete("/nodes/gone", false);
		a.put("/schema/sentinel", bytes("s"));

		await().until(() -> this.nodeB.listeners().schema.size() == 1);
		assertThat(keys(this.nodeB.listeners().nodes)).containsExactly("/nodes/loud", "/nodes/gone");
		assertThat(this.nodeB.coordinator().get("/nodes/silent")).hasValueSatisfying(
				(entry) -> assertThat(entry.value()).isEqualTo(bytes("quiet")));
		assertThat(this.nodeB.coordinator().get("/nodes/gone")).isEmpty();
	}

	@Test
	void emptyValueIsAValue() {
		long revision = this.nodeA.coordinator().put("/nodes/empty", new byte[0]);

		await().until(() -> this.nodeB.listeners().nodes.size() == 1);
		assertThat(this.nodeB.listeners().nodes.get(0).getValue()).isEmpty();
		assertThat(this.nodeB.coordinator().get("/nodes/empty")).hasValueSatisfying((entry) -> {
			assertThat(entry.value()).isEmpty();
			assertThat(entry.revision()).isEqualTo(revision);
		});
		assertThat(this.nodeB.coordinator().list("/nodes/")).extracting(CoordinatorEntry::key)
			.containsExactly("/nodes/empty");
	}

	@Test
	void concurrentWritersOfOneKeyAreSeenInRevisionOrder() throws Exception {
		int writesPerNode = 200;
		Thread writerB = new Thread(() -> IntStream.range(0, writesPerNode)
			.forEach((i) -> this.nodeB.coordinator().put("/nodes/contended", bytes("b" + i))));
		writerB.start();
		IntStream.range(0, writesPerNode).forEach((i) -> this.nodeA.coordinator().put("/nodes/contended", bytes("a" + i)));
		writerB.join();
		long last = this.nodeA.coordinator().get("/nodes/contended").orElseThrow().revision();

		for (TestNode node : List.of(this.nodeA, this.nodeB)) {
			await().until(() -> !node.listeners().nodes.isEmpty()
					&& node.listeners().nodes.get(node.listeners().nodes.size() - 1).getRevision() == last);
			List<Long> seen = revisions(node.listeners().nodes);
			assertThat(seen).isSorted().doesNotHaveDuplicates();
		}
	}

	@Test
	void restartedNodeReceivesExactlyWhatItMissedInOrder() {
		this.nodeA.coordinator().put("/nodes/before", bytes("seen by b"));
		await().until(() -> this.nodeB.listeners().nodes.size() == 1);
		this.nodeB.close();

		List<Long> written = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			written.add(this.nodeA.coordinator().put("/nodes/missed-" + i, bytes("v" + i)));
		}
		this.nodeA.coordinator().delete("/nodes/before");
		// Nothing else writes meanwhile, so the delete is the next message of the log.
		written.add(written.get(written.size() - 1) + 1);

		this.nodeB = TestNode.start(server.url(), this.namespace, "node-b");
		this.nodeA.coordinator().put("/schema/sentinel", bytes("s"));

		TestNode.Listeners restarted = this.nodeB.listeners();
		await().atMost(Duration.ofSeconds(20)).until(() -> restarted.schema.size() == 1);
		assertThat(revisions(restarted.nodes)).containsExactlyElementsOf(written);
		assertThat(keys(restarted.nodes)).first().isEqualTo("/nodes/missed-0");
		assertThat(restarted.nodes.get(50).getKey()).isEqualTo("/nodes/before");
		assertThat(restarted.nodes.get(50).getAction()).isEqualTo(CoordinatorAction.DELETE);
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
