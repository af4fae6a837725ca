package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Compare-and-set writes ({@code create}, {@code update}, conditional {@code delete}) on a real nats-server.
 */
class CompareAndSetTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private final String namespace = "cas-" + namespaces.incrementAndGet();

	private final List<TestNode> nodes = new ArrayList<>();

	@AfterEach
	void stop() {
		this.nodes.forEach(TestNode::close);
	}

	private TestNode node(String nodeId) {
		TestNode node = TestNode.start(server.url(), this.namespace, nodeId);
		this.nodes.add(node);
		return node;
	}

	@Test
	void createStoresOnlyWhenTheKeyIsAbsentAlsoAfterADelete() {
		Coordinator coordinator = node("node-a").coordinator();
		long created = coordinator.create("/nodes/a", bytes("1"));

		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.create("/nodes/a", bytes("2")))
			.satisfies((conflict) -> {
				assertThat(conflict.getKey()).isEqualTo("/nodes/a");
				assertThat(conflict.getCurrentRevision()).hasValue(created);
			})
			.withMessageContaining("at revision " + created);
		assertThat(value(coordinator, "/nodes/a")).isEqualTo("1");

		coordinator.delete("/nodes/a");
		long again = coordinator.create("/nodes/a", bytes("3"));

		assertThat(again).isGreaterThan(created);
		assertThat(value(coordinator, "/nodes/a")).isEqualTo("3");
	}

	@Test
	void updateAndDeleteApplyOnlyToTheRevisionRead() {
		Coordinator coordinator = node("node-a").coordinator();
		long first = coordinator.put("/config/x", bytes("1"));
		long second = coordinator.update("/config/x", bytes("2"), first);

		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.update("/config/x", bytes("stale"), first))
			.satisfies((conflict) -> assertThat(conflict.getCurrentRevision()).hasValue(second));
		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.delete("/config/x", first))
			.satisfies((conflict) -> assertThat(conflict.getCurrentRevision()).hasValue(second));
		assertThat(value(coordinator, "/config/x")).isEqualTo("2");

		coordinator.delete("/config/x", second);

		assertThat(coordinator.get("/config/x")).isEmpty();
		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.update("/config/x", bytes("3"), second))
			.satisfies((conflict) -> assertThat(conflict.getCurrentRevision()).isEmpty())
			.withMessageContaining("absent");
	}

	@Test
	void silentCompareAndSetWritesAreStoredWithoutEvents() {
		TestNode node = node("node-a");
		Coordinator coordinator = node.coordinator();
		long created = coordinator.create("/nodes/quiet", bytes("1"), false);
		long updated = coordinator.update("/nodes/quiet", bytes("2"), created, false);
		coordinator.delete("/nodes/quiet", updated, false);
		long kept = coordinator.create("/nodes/kept", bytes("k"), false);
		coordinator.put("/nodes/loud", bytes("x"));

		await().atMost(Duration.ofSeconds(10)).until(() -> node.listeners().nodes.size() == 1);
		assertThat(node.listeners().nodes).extracting(CoordinatorEvent::getKey).containsExactly("/nodes/loud");
		assertThat(coordinator.get("/nodes/quiet")).isEmpty();
		assertThat(coordinator.get("/nodes/kept")).hasValueSatisfying((entry) -> assertThat(entry.revision()).isEqualTo(kept));
	}

	@Test
	void countersIncrementedWithUpdateOnThreeNodesLoseNoIncrement() throws Exception {
		List<Coordinator> coordinators = List.of(node("node-a").coordinator(), node("node-b").coordinator(),
				node("node-c").coordinator());
		coordinators.get(0).create("/counter", bytes("0"));
		int perThread = 40;
		AtomicInteger successful = new AtomicInteger();
		AtomicInteger conflicts = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (Coordinator coordinator : coordinators) {
			for (int t = 0; t < 2; t++) {
				Thread thread = new Thread(() -> {
					for (int i = 0; i < perThread; i++) {
						while (true) {
							CoordinatorEntry current = coordinator.get("/counter").orElseThrow();
							int next = Integer.parseInt(new String(current.value(), StandardCharsets.UTF_8)) + 1;
							try {
								coordinator.update("/counter", bytes(Integer.toString(next)), current.revision());
								successful.incrementAndGet();
								break;
							}
							catch (CoordinatorConflictException ex) {
								conflicts.incrementAndGet();
							}
						}
					}
				});
				threads.add(thread);
				thread.start();
			}
		}
		for (Thread thread : threads) {
			thread.join();
		}

		assertThat(successful.get()).isEqualTo(6 * perThread);
		assertThat(value(coordinators.get(0), "/counter")).isEqualTo(Integer.toString(successful.get()));
		assertThat(conflicts.get()).as("the threads did contend").isPositive();
	}

	private static String value(Coordinator coordinator, String key) {
		return new String(coordinator.get(key).orElseThrow().value(), StandardCharsets.UTF_8);
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
