package dev.coordinator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.lock.Leadership;
import dev.coordinator.lock.LeadershipGrantedEvent;
import dev.coordinator.lock.LeadershipRevokedEvent;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Locks and leader election on a real nats-server: contention between nodes, a holder and a leader whose JVM
 * is killed with SIGKILL.
 */
class LockTests {

	private static final Duration TTL = Duration.ofSeconds(2);

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private final String namespace = "locks-" + namespaces.incrementAndGet();

	private final List<TestNode> nodes = new ArrayList<>();

	private Process child;

	@AfterEach
	void stop() {
		if (this.child != null) {
			this.child.destroyForcibly();
		}
		this.nodes.forEach(TestNode::close);
	}

	private TestNode node(String nodeId) {
		TestNode node = TestNode.startWith(new Class<?>[] { Grants.class }, server.url(), this.namespace, nodeId);
		this.nodes.add(node);
		return node;
	}

	@Test
	void nodesContendingForOneLockNeverHoldItTogetherAndTokensGrow() throws Exception {
		AtomicInteger holders = new AtomicInteger();
		AtomicLong lastToken = new AtomicLong();
		List<String> violations = new CopyOnWriteArrayList<>();
		AtomicInteger acquisitions = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (String nodeId : List.of("node-a", "node-b", "node-c")) {
			CoordinatorLock lock = locks(node(nodeId)).obtain("shared");
			Thread thread = new Thread(() -> {
				try {
					for (int i = 0; i < 15; i++) {
						assertThat(lock.tryLock(Duration.ofSeconds(20), TTL)).isTrue();
						long token = lock.fencingToken();
						if (holders.incrementAndGet() != 1) {
							violations.add(nodeId + " held the lock with another holder");
						}
						long previous = lastToken.getAndAccumulate(token, Math::max);
						if (token <= previous) {
							violations.add(nodeId + " got token " + token + " after " + previous);
						}
						acquisitions.incrementAndGet();
						holders.decrementAndGet();
						lock.unlock();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			threads.add(thread);
			thread.start();
		}
		for (Thread thread : threads) {
			thread.join();
		}

		assertThat(violations).isEmpty();
		assertThat(acquisitions.get()).isEqualTo(45);
	}

	@Test
	void theLockOfAHolderKilledWithSigkillIsFreeAfterItsTtl() throws Exception {
		TestNode node = node("node-a");
		Path output = Files.createTempFile("lock-holder-", ".log");
		this.child = MemberProcess.start(output, "coordinator.nats.servers=" + server.url(),
				"coordinator.namespace=" + this.namespace, "coordinator.node-id=holder", "test.lock=job");
		CoordinatorLock lock = locks(node).obtain("job");
		assertThat(lock.tryLock(Duration.ofMillis(500), TTL)).as("held by the other process").isFalse();

		this.child.destroyForcibly();
		long killed = System.nanoTime();

		assertThat(lock.tryLock(TTL.plusSeconds(3), TTL)).isTrue();
		Duration free = Duration.ofNanos(System.nanoTime() - killed);
		assertThat(free).isLessThan(TTL.plusSeconds(2));
		lock.unlock();
		Files.deleteIfExists(output);
	}

	@Test
	void whenTheLeadersJvmIsKilledAnotherNodeLeadsWithinTheTtl() throws Exception {
		TestNode node = node("node-a");
		Path output = Files.createTempFile("leader-", ".log");
		this.child = MemberProcess.start(output, "coordinator.nats.servers=" + server.url(),
				"coordinator.namespace=" + this.namespace, "coordinator.node-id=leader", "test.leader=scheduler");
		Leadership leadership = locks(node).leader("scheduler", TTL);
		leadership.start();
		await().during(Duration.ofSeconds(1)).until(() -> !leadership.isLeader());

		this.child.destroyForcibly();
		long killed = System.nanoTime();

		await().atMost(TTL.plusSeconds(3)).until(leadership::isLeader);
		Duration elected = Duration.ofNanos(System.nanoTime() - killed);
		assertThat(elected).isLessThan(TTL.plus(TTL.dividedBy(6)).plusSeconds(1));
		assertThat(node.context().getBean(Grants.class).roles).containsExactly("scheduler");
		leadership.stop();
		assertThat(leadership.isLeader()).isFalse();
		Files.deleteIfExists(output);
	}

	@Test
	void aLeaderThatStopsReleasesTheRoleAtOnceAndIsToldItNoLongerLeads() {
		Duration longTtl = Duration.ofSeconds(30);
		TestNode first = node("node-a");
		TestNode second = node("node-b");
		Leadership leading = locks(first).leader("scheduler", longTtl);
		leading.start();
		await().atMost(Duration.ofSeconds(5)).until(leading::isLeader);
		Leadership waiting = locks(second).leader("scheduler", longTtl);
		waiting.start();

		long stopped = System.nanoTime();
		leading.stop();

		assertThat(first.context().getBean(Grants.class).revoked).containsExactly("scheduler");
		await().atMost(Duration.ofSeconds(10)).until(waiting::isLeader);
		assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(10));
		waiting.stop();
	}

	private static CoordinatorLocks locks(TestNode node) {
		return node.context().getBean(CoordinatorLocks.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class Grants {

		final List<String> roles = new CopyOnWriteArrayList<>();

		final List<String> revoked = new CopyOnWriteArrayList<>();

		@EventListener
		void onGranted(LeadershipGrantedEvent event) {
			this.roles.add(event.getRole());
		}

		@EventListener
		void onRevoked(LeadershipRevokedEvent event) {
			this.revoked.add(event.getRole());
		}

	}

}
