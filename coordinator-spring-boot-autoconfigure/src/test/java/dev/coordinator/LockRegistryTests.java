package dev.coordinator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Spring Integration's lock registry and its leader initiator on the coordinator's locks, on a real nats-server.
 */
class LockRegistryTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private final List<TestNode> nodes = new ArrayList<>();

	private final List<LockRegistryLeaderInitiator> initiators = new ArrayList<>();

	@AfterEach
	void stop() {
		this.initiators.forEach(LockRegistryLeaderInitiator::stop);
		this.nodes.forEach(TestNode::close);
	}

	private TestNode node(String namespace, String nodeId) {
		TestNode node = TestNode.start(server.url(), namespace, nodeId, "coordinator.locks.ttl=2s");
		this.nodes.add(node);
		return node;
	}

	@SuppressWarnings("unchecked")
	private static LockRegistry<DistributedLock> registry(TestNode node) {
		return node.context().getBean(LockRegistry.class);
	}

	@Test
	void registryLocksAreExclusiveAcrossNodesAndReentrantWithinAThread() throws Exception {
		DistributedLock a = registry(node("registry", "node-a")).obtain("job");
		DistributedLock b = registry(node("registry", "node-b")).obtain("job");

		assertThat(a.tryLock(1, TimeUnit.SECONDS)).isTrue();
		assertThat(a.tryLock(1, TimeUnit.SECONDS)).as("reentrant").isTrue();
		assertThat(b.tryLock(300, TimeUnit.MILLISECONDS)).isFalse();
		a.unlock();
		assertThat(b.tryLock(300, TimeUnit.MILLISECONDS)).as("still held once").isFalse();
		a.unlock();
		assertThat(b.tryLock(Duration.ofSeconds(2), Duration.ofSeconds(2))).isTrue();
		assertThatIllegalStateException().isThrownBy(a::unlock);
		b.unlock();
	}

	@Test
	void theLeaderInitiatorElectsOneNodeAndAnotherWhenItStops() {
		List<String> granted = new CopyOnWriteArrayList<>();
		for (String nodeId : List.of("node-a", "node-b")) {
			LockRegistryLeaderInitiator initiator = new LockRegistryLeaderInitiator(registry(node("leaders", nodeId)),
					new DefaultCandidate(nodeId, "scheduler"));
			initiator.setHeartBeatMillis(200);
			initiator.setBusyWaitMillis(100);
			initiator.setApplicationEventPublisher((event) -> {
				if (event instanceof OnGrantedEvent) {
					granted.add(nodeId);
				}
			});
			this.initiators.add(initiator);
			initiator.start();
		}

		await().atMost(Duration.ofSeconds(10)).until(() -> granted.size() == 1);
		await().during(Duration.ofSeconds(1)).until(() -> granted.size() == 1);
		LockRegistryLeaderInitiator leader = this.initiators.get(granted.get(0).equals("node-a") ? 0 : 1);
		leader.stop();

		await().atMost(Duration.ofSeconds(10)).until(() -> granted.size() == 2);
		assertThat(granted).doesNotHaveDuplicates();
	}

}
