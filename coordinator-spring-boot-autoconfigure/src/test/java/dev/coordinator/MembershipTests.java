package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.membership.MemberJoinedEvent;
import dev.coordinator.membership.MemberLeftEvent;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Membership with failure detection on a real nats-server: joins, graceful leaves, a member whose JVM is
 * killed with SIGKILL, and two processes with one node id.
 */
class MembershipTests {

	private static final Duration LEASE = Duration.ofSeconds(2);

	private static final Duration HEARTBEAT = Duration.ofMillis(500);

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private final String namespace = "members-" + namespaces.incrementAndGet();

	private final List<TestNode> nodes = new ArrayList<>();

	private Process child;

	@AfterEach
	void stop() {
		if (this.child != null) {
			this.child.destroyForcibly();
		}
		this.nodes.forEach(TestNode::close);
	}

	private String[] properties(String... more) {
		List<String> all = new ArrayList<>(List.of("coordinator.membership.enabled=true",
				"coordinator.membership.lease-ttl=" + LEASE.toMillis() + "ms",
				"coordinator.membership.heartbeat=" + HEARTBEAT.toMillis() + "ms",
				"coordinator.membership.metadata.zone=test"));
		all.addAll(List.of(more));
		return all.toArray(String[]::new);
	}

	private TestNode member(String nodeId) {
		TestNode node = TestNode.startWith(new Class<?>[] { MemberEvents.class }, server.url(), this.namespace, nodeId,
				properties());
		this.nodes.add(node);
		return node;
	}

	@Test
	void membersSeeEachOtherJoinAndLeave() {
		TestNode a = member("node-a");
		TestNode b = member("node-b");

		await().atMost(Duration.ofSeconds(10)).until(() -> membership(a).members().keySet().size() == 2);
		assertThat(membership(a).members()).containsOnlyKeys("node-a", "node-b");
		assertThat(membership(a).members().get("node-b").metadata()).containsEntry("zone", "test");
		assertThat(membership(b).self()).hasValueSatisfying((self) -> assertThat(self.nodeId()).isEqualTo("node-b"));
		assertThat(events(a).joined).contains("node-b");

		b.close();
		this.nodes.remove(b);

		await().atMost(Duration.ofSeconds(10)).until(() -> !membership(a).isMember("node-b"));
		assertThat(events(a).left).containsExactly("node-b:LEFT");
		assertThat(deletesOf(a, "/nodes/node-b")).isEqualTo(1);
	}

	@Test
	void aMemberKilledWithSigkillIsRemovedOnceOnEverySurvivorWithinTheLease() throws Exception {
		TestNode a = member("node-a");
		TestNode b = member("node-b");
		Path output = Files.createTempFile("member-process-", ".log");
		List<String> childProperties = new ArrayList<>(List.of("coordinator.nats.servers=" + server.url(),
				"coordinator.namespace=" + this.namespace, "coordinator.node-id=node-killed"));
		childProperties.addAll(List.of(properties()));
		this.child = MemberProcess.start(output, childProperties.toArray(String[]::new));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> membership(a).isMember("node-killed") && membership(b).isMember("node-killed"));

		this.child.destroyForcibly();
		long killed = System.nanoTime();
		this.child.waitFor();

		for (TestNode survivor : List.of(a, b)) {
			await().atMost(LEASE.plus(HEARTBEAT.multipliedBy(2)).plusSeconds(2))
				.until(() -> deletesOf(survivor, "/nodes/node-killed") >= 1);
		}
		Duration detected = Duration.ofNanos(System.nanoTime() - killed);
		await().during(Duration.ofSeconds(2)).until(() -> deletesOf(a, "/nodes/node-killed") == 1
				&& deletesOf(b, "/nodes/node-killed") == 1);
		assertThat(events(a).left).containsExactly("node-killed:EXPIRED");
		assertThat(events(b).left).containsExactly("node-killed:EXPIRED");
		assertThat(membership(a).members()).containsOnlyKeys("node-a", "node-b");
		System.out.println("SIGKILLed member removed after " + detected.toMillis() + " ms (lease " + LEASE.toMillis()
				+ " ms, heartbeat " + HEARTBEAT.toMillis() + " ms); child output in " + output);
		Files.deleteIfExists(output);
	}

	@Test
	void aNodeCutOffFromNatsKnowsItLostItsLeaseBeforeOthersCouldActAndRegistersAgain() {
		TestNode a = member("node-a");
		await().atMost(Duration.ofSeconds(10)).until(() -> membership(a).self().isPresent());

		server.process().kill();
		long cutOff = System.nanoTime();
		await().atMost(LEASE).until(() -> membership(a).self().isEmpty());
		Duration knew = Duration.ofNanos(System.nanoTime() - cutOff);
		server.process().restart();

		assertThat(knew).isLessThan(LEASE);
		await().atMost(Duration.ofSeconds(30)).until(() -> membership(a).self().isPresent());
	}

	@Test
	void aSecondLiveProcessWithTheSameNodeIdRefusesToStart() {
		member("node-a");

		assertThatException().isThrownBy(() -> TestNode.start(server.url(), this.namespace, "node-a", properties()))
			.withStackTraceContaining("two processes have the same node id");
	}

	private static ClusterMembership membership(TestNode node) {
		return node.context().getBean(ClusterMembership.class);
	}

	private static MemberEvents events(TestNode node) {
		return node.context().getBean(MemberEvents.class);
	}

	private static long deletesOf(TestNode node, String key) {
		return node.listeners().nodeDeletes.stream().filter((event) -> event.getKey().equals(key)).count();
	}

	@Configuration(proxyBeanMethods = false)
	static class MemberEvents {

		final List<String> joined = new CopyOnWriteArrayList<>();

		final List<String> left = new CopyOnWriteArrayList<>();

		@EventListener
		void onJoined(MemberJoinedEvent event) {
			this.joined.add(event.getMember().nodeId());
		}

		@EventListener
		void onLeft(MemberLeftEvent event) {
			this.left.add(event.getMember().nodeId() + ":" + event.getReason());
		}

	}

}
