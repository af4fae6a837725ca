package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullRequestOptions;
import io.nats.client.Subscription;
import io.nats.client.api.KeyValueConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.coordinator.TestNode.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes on one nats-server whose users have exactly the permissions {@code docs/security.md} gives a
 * node: everything the nodes do works, and what node 1 must not do to node 2 or to another namespace is refused.
 */
class LeastPrivilegeTests {

	private static final String NAMESPACE = "orders";

	private static final Duration REFUSED_WITHIN = Duration.ofSeconds(1);

	private static NatsServerProcess server;

	private static final List<TestNode> nodes = new ArrayList<>();

	@BeforeAll
	static void startServerAndNodes() {
		server = NatsServerProcess.builder().config("""
				accounts {
				  SERVICES: {
				    jetstream: enabled
				    users: [
				      %s
				      %s
				      %s
				      { user: admin, password: admin-secret }
				    ]
				  }
				}
				""".formatted(NodeUsers.user(NAMESPACE, "node-1"), NodeUsers.user(NAMESPACE, "node-2"),
				NodeUsers.user(NAMESPACE, "node-3"))).start();
		for (int i = 1; i <= 3; i++) {
			nodes.add(node("node-" + i));
		}
	}

	@AfterAll
	static void stopNodesAndServer() {
		nodes.forEach(TestNode::close);
		server.close();
	}

	private static TestNode node(String nodeId) {
		return TestNode.start(server.url(), NAMESPACE, nodeId, NodeUsers.properties(NAMESPACE, nodeId,
				"coordinator.membership.enabled=true", "coordinator.membership.prefix=/members/",
				"coordinator.membership.lease-ttl=3s",
				"coordinator.membership.heartbeat=1s"));
	}

	@Test
	void nodesWriteReceiveListLockAndRestartWithThesePermissionsAlone() throws Exception {
		TestNode one = nodes.get(0);
		TestNode two = nodes.get(1);
		one.coordinator().put("/state/before-restart", bytes("s"));
		long put = one.coordinator().put("/nodes/a", bytes("1"));
		long create = two.coordinator().create("/nodes/b", bytes("2"));
		// The bucket keeps one revision per key: a delete before a node read the put would supersede it.
		for (TestNode node : nodes) {
			await().until(() -> node.listeners().nodes.size() == 2);
		}
		assertThat(one.coordinator().delete("/nodes/a")).isTrue();
		one.coordinator().put("/fail/x", bytes("x"));
		for (TestNode node : nodes) {
			await().until(() -> node.listeners().nodeDeletes.size() == 1 && node.listeners().afterFailure.size() == 1);
			assertThat(keys(node.listeners().nodes)).containsExactly("/nodes/a", "/nodes/b", "/nodes/a");
			assertThat(node.listeners().nodes.get(0).getRevision()).isEqualTo(put);
			assertThat(node.listeners().nodes.get(1).getRevision()).isEqualTo(create);
			assertThat(node.context().getBean(ClusterMembership.class).members()).containsOnlyKeys("node-1", "node-2",
					"node-3");
		}

		// Each node recorded the failing listener's event as a dead letter, on its own subjects.
		try (Connection admin = admin()) {
			await().until(() -> admin.jetStreamManagement().getStreamInfo("orders_dead_letters").getStreamState()
				.getSubjectCount() == 3);
		}

		// Listings large enough for the server to ask for flow control.
		List<CompletableFuture<Long>> writes = new ArrayList<>();
		byte[] value = new byte[2048];
		for (int i = 0; i < 3000; i++) {
			writes.add(one.coordinator().putAsync("/bulk/" + i, value));
		}
		CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
		assertThat(two.coordinator().list("/bulk/")).hasSize(3000);
		assertThat(two.coordinator().keys("/bulk/")).hasSize(3000);

		CoordinatorLock held = locks(two).obtain("leader");
		assertThat(held.tryLock(Duration.ofSeconds(5), Duration.ofSeconds(10))).isTrue();
		CoordinatorLock contender = locks(nodes.get(2)).obtain("leader");
		assertThat(contender.tryLock(Duration.ofMillis(200), Duration.ofSeconds(10))).isFalse();
		held.unlock();
		assertThat(contender.tryLock(Duration.ofSeconds(5), Duration.ofSeconds(10))).isTrue();
		contender.unlock();

		// A restarted node resumes its consumer and gets the initial state and what it missed.
		nodes.get(2).close();
		one.coordinator().put("/nodes/while-away", bytes("w"));
		nodes.set(2, node("node-3"));
		TestNode three = nodes.get(2);
		await().until(() -> keys(three.listeners().nodes).contains("/nodes/while-away"));
		assertThat(three.listeners().stateView).containsEntry("/state/before-restart", "s");

		assertThat(server.log()).doesNotContain("Violation");
	}

	@Test
	void aNodeCannotDeleteAnotherNodesConsumer() throws Exception {
		try (NodeUsers.RawNode one = new NodeUsers.RawNode(server.url(), NAMESPACE, "node-1")) {
			assertThatException().isThrownBy(() -> one.connection.jetStreamManagement(shortRequests())
				.deleteConsumer("KV_orders", "orders_node-2"));
			await().until(() -> one.errors.contains(
					"Permissions Violation for Publish to \"$JS.API.CONSUMER.DELETE.KV_orders.orders_node-2\""));
		}
		try (Connection admin = admin()) {
			assertThat(admin.jetStreamManagement().getConsumerInfo("KV_orders", "orders_node-2")).isNotNull();
		}
		long revision = nodes.get(0).coordinator().put("/schema/after-delete-attempt", bytes("x"));
		await().until(() -> nodes.get(1).listeners().schema.stream().anyMatch((event) -> event.getRevision() == revision));
	}

	@Test
	void aNodeCannotPullFromNorAcknowledgeForAnotherNodesConsumer() throws Exception {
		try (NodeUsers.RawNode one = new NodeUsers.RawNode(server.url(), NAMESPACE, "node-1")) {
			Subscription inbox = one.connection.subscribe("_INBOX.orders.node-1.pulled");
			one.connection.publish("$JS.API.CONSUMER.MSG.NEXT.KV_orders.orders_node-2",
					"_INBOX.orders.node-1.pulled", PullRequestOptions.builder(10).build().serialize());
			one.connection.publish("$JS.ACK.KV_orders.orders_node-2.1.1.1.1.0", new byte[0]);
			await().until(() -> one.errors.containsAll(List.of(
					"Permissions Violation for Publish to \"$JS.API.CONSUMER.MSG.NEXT.KV_orders.orders_node-2\"",
					"Permissions Violation for Publish to \"$JS.ACK.KV_orders.orders_node-2.1.1.1.1.0\"")));
			nodes.get(0).coordinator().put("/schema/after-pull-attempt", bytes("x"));
			assertThat(inbox.nextMessage(REFUSED_WITHIN)).isNull();
		}
	}

	@Test
	void aNodeCannotReadAnotherNodesInbox() throws Exception {
		try (NodeUsers.RawNode one = new NodeUsers.RawNode(server.url(), NAMESPACE, "node-1")) {
			Subscription spy = one.connection.subscribe("_INBOX.orders.node-2.>");
			Subscription everything = one.connection.subscribe(">");
			await().until(() -> one.errors.containsAll(List.of(
					"Permissions Violation for Subscription to \"_INBOX.orders.node-2.>\"",
					"Permissions Violation for Subscription to \">\"")));
			long revision = nodes.get(0).coordinator().put("/schema/spied-on", bytes("x"));
			await().until(() -> nodes.get(1).listeners().schema.stream()
				.anyMatch((event) -> event.getRevision() == revision));
			assertThat(spy.nextMessage(REFUSED_WITHIN)).isNull();
			assertThat(everything.nextMessage(Duration.ofMillis(1))).isNull();
		}
	}

	@Test
	void aNodeCannotReadWriteNorConsumeAnotherNamespacesBucket() throws Exception {
		try (Connection admin = admin()) {
			admin.keyValueManagement().create(KeyValueConfiguration.builder().name("billing").build());
			admin.keyValue("billing").put("invoice", "42");
		}
		try (NodeUsers.RawNode one = new NodeUsers.RawNode(server.url(), NAMESPACE, "node-1")) {
			KeyValueOptions options = KeyValueOptions.builder().jetStreamOptions(shortRequests()).build();
			assertThatException().isThrownBy(() -> one.connection.keyValue("billing", options).get("invoice"));
			assertThatException().isThrownBy(() -> one.connection.jetStream(shortRequests())
				.publish("$KV.billing.invoice", bytes("forged")));
			assertThatException().isThrownBy(() -> one.connection.jetStreamManagement(shortRequests())
				.getStreamInfo("KV_billing"));
			assertThat(one.connection.request("$JS.API.DIRECT.GET.KV_billing.$KV.billing.invoice", new byte[0],
					REFUSED_WITHIN)).isNull();
			assertThat(one.connection.request("$JS.API.CONSUMER.CREATE.KV_billing", new byte[0], REFUSED_WITHIN))
				.isNull();
			await().until(() -> one.errors.containsAll(List.of(
					"Permissions Violation for Publish to \"$KV.billing.invoice\"",
					"Permissions Violation for Publish to \"$JS.API.STREAM.INFO.KV_billing\"",
					"Permissions Violation for Publish to \"$JS.API.DIRECT.GET.KV_billing.$KV.billing.invoice\"",
					"Permissions Violation for Publish to \"$JS.API.CONSUMER.CREATE.KV_billing\"")));
		}
		try (Connection admin = admin()) {
			assertThat(admin.keyValue("billing").get("invoice").getValueAsString()).isEqualTo("42");
		}
	}

	private static JetStreamOptions shortRequests() {
		return JetStreamOptions.builder().requestTimeout(REFUSED_WITHIN).build();
	}

	private static Connection admin() throws Exception {
		return Nats.connect(Options.builder().server(server.url()).userInfo("admin", "admin-secret").build());
	}

	private static CoordinatorLocks locks(TestNode node) {
		return node.context().getBean(CoordinatorLocks.class);
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
