package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.coordinator.test.NatsCluster;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node on a three-server cluster (bucket replicas 3) whose consumer has to be created again while one server
 * is down: first a server the node is not connected to, then the leader of the bucket's stream. Creating an R3
 * consumer with one server down succeeds on nats-server 2.9.10 (in 0.5 to 2.2 s here), so the node must
 * receive the next write within seconds, without a resync.
 */
class DegradedClusterConsumerTests {

	private static final String NAMESPACE = "degraded";

	private static final String STREAM = "KV_" + NAMESPACE;

	private static final String CONSUMER = NAMESPACE + "_node-a";

	/** JetStream's error code for a consumer that does not exist. */
	private static final int CONSUMER_NOT_FOUND = 10014;

	private NatsCluster cluster;

	private Connection admin;

	private TestNode node;

	@BeforeEach
	void start() throws Exception {
		this.cluster = NatsCluster.start("coordinator-degraded");
		this.admin = this.cluster.connect();
		this.node = TestNode.start(this.cluster.urls(), NAMESPACE, "node-a", "coordinator.bucket.replicas=3",
				"coordinator.nats.ping-interval=1s", "coordinator.nats.reconnect-wait=100ms");
	}

	@AfterEach
	void stop() throws Exception {
		if (this.node != null) {
			this.node.close();
		}
		if (this.admin != null) {
			this.admin.close();
		}
		this.cluster.close();
	}

	@Test
	void aConsumerDeletedWhileOneServerIsDownIsCreatedAgainAndReceives() throws Exception {
		JetStreamManagement management = this.admin.jetStreamManagement();
		assertReceives("/nodes/before", Duration.ofSeconds(10));

		String connectedTo = this.node.context().getBean(Connection.class).getConnectedUrl();
		NatsServerProcess other = this.cluster.servers()
			.values()
			.stream()
			.filter((server) -> !server.url().equals(connectedTo))
			.findFirst()
			.orElseThrow();
		other.kill();
		deleteConsumer(management);
		// JetStream may answer no request for seconds while the cluster elects a new meta leader.
		assertReceives("/nodes/other-server-down", Duration.ofSeconds(30));

		other.restart();
		await("restarted server current").atMost(Duration.ofSeconds(30))
			.ignoreExceptions()
			.until(() -> management.getStreamInfo(STREAM)
				.getClusterInfo()
				.getReplicas()
				.stream()
				.allMatch((replica) -> replica.isCurrent() && !replica.isOffline()));
		String leader = await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> management.getStreamInfo(STREAM).getClusterInfo().getLeader(), (name) -> name != null);
		this.cluster.servers().get(leader).kill();
		deleteConsumer(management);
		// The node first has to notice: an idle check after 3 s, whose request may time out (5 s) while its
		// connection moves off the killed server, a pause of 1 s, then the creation.
		assertReceives("/nodes/leader-down", Duration.ofSeconds(30));

		assertThat(this.node.container().statistics().resyncs()).isZero();
		assertThat(management.getConsumerInfo(STREAM, CONSUMER).getConsumerConfiguration().getNumReplicas())
			.isIn(0, 3);
	}

	/**
	 * Deletes the node's consumer as an operator would, retried while the cluster answers no requests. An
	 * attempt whose answer was lost may have deleted it: "not found" afterwards means it is gone.
	 */
	private static void deleteConsumer(JetStreamManagement management) {
		await("consumer " + CONSUMER + " deleted").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(250))
			.ignoreExceptions()
			.until(() -> {
				try {
					return management.deleteConsumer(STREAM, CONSUMER);
				}
				catch (JetStreamApiException ex) {
					if (ex.getApiErrorCode() == CONSUMER_NOT_FOUND) {
						return true;
					}
					throw ex;
				}
			});
	}

	private void assertReceives(String key, Duration within) {
		AtomicLong revision = new AtomicLong();
		// A write may fail while the stream elects a leader: it is written again.
		await("write of " + key).atMost(Duration.ofSeconds(30))
			.ignoreExceptions()
			.until(() -> {
				revision.set(this.node.coordinator().put(key, key.getBytes(StandardCharsets.UTF_8)));
				return true;
			});
		await(key + " received").atMost(within)
			.until(() -> this.node.listeners().all.stream().anyMatch((event) -> event.getRevision() == revision.get()));
	}

}
