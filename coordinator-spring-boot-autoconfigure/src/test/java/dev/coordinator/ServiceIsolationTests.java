package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.coordinator.test.NatsServerProcess;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueOptions;
import io.nats.client.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.coordinator.TestNode.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Services kept apart as {@code docs/security.md} describes: {@code orders} and {@code orders_eu} (a namespace
 * and one it is a prefix of) by their users' permissions in one account, and a second {@code orders} by an
 * account of its own.
 */
class ServiceIsolationTests {

	private static final Duration REFUSED_WITHIN = Duration.ofSeconds(1);

	private static NatsServerProcess server;

	private static TestNode orders;

	private static TestNode ordersEu;

	private static TestNode otherAccountOrders;

	@BeforeAll
	static void startServerAndNodes() {
		server = NatsServerProcess.builder().config("""
				accounts {
				  SHARED: {
				    jetstream: enabled
				    users: [
				      %s
				      %s
				    ]
				  }
				  OTHER: {
				    jetstream: enabled
				    users: [
				      %s
				    ]
				  }
				}
				""".formatted(NodeUsers.user("orders", "node-1"), NodeUsers.user("orders_eu", "node-1"),
				NodeUsers.user("orders", "node-2"))).start();
		orders = TestNode.start(server.url(), "orders", "node-1", NodeUsers.properties("orders", "node-1"));
		ordersEu = TestNode.start(server.url(), "orders_eu", "node-1", NodeUsers.properties("orders_eu", "node-1"));
		otherAccountOrders = TestNode.start(server.url(), "orders", "node-2", NodeUsers.properties("orders", "node-2"));
	}

	@AfterAll
	static void stopNodesAndServer() {
		for (TestNode node : new TestNode[] { orders, ordersEu, otherAccountOrders }) {
			if (node != null) {
				node.close();
			}
		}
		server.close();
	}

	@Test
	void eachServiceReceivesItsOwnChangesOnly() {
		orders.coordinator().put("/schema/orders", bytes("o"));
		ordersEu.coordinator().put("/schema/orders-eu", bytes("e"));
		otherAccountOrders.coordinator().put("/schema/other", bytes("x"));
		ordersEu.coordinator().put("/schema/orders-eu-sentinel", bytes("s"));
		orders.coordinator().put("/schema/orders-sentinel", bytes("s"));
		otherAccountOrders.coordinator().put("/schema/other-sentinel", bytes("s"));

		await().until(() -> orders.listeners().schema.size() == 2 && ordersEu.listeners().schema.size() == 2
				&& otherAccountOrders.listeners().schema.size() == 2);
		assertThat(keys(orders.listeners().schema)).containsExactly("/schema/orders", "/schema/orders-sentinel");
		assertThat(keys(ordersEu.listeners().schema)).containsExactly("/schema/orders-eu", "/schema/orders-eu-sentinel");
		assertThat(keys(otherAccountOrders.listeners().schema)).containsExactly("/schema/other", "/schema/other-sentinel");
		assertThat(orders.coordinator().keys("/schema/")).containsExactly("/schema/orders", "/schema/orders-sentinel");
		assertThat(otherAccountOrders.coordinator().get("/schema/orders")).isEmpty();
	}

	@Test
	void ordersCannotReadWriteNorConsumeOrdersEu() throws Exception {
		ordersEu.coordinator().put("/secret/eu", bytes("eu"));
		assertCannotTouch("orders", "orders_eu", "secret.eu");
		assertThat(ordersEu.coordinator().get("/secret/eu")).hasValueSatisfying(
				(entry) -> assertThat(entry.value()).isEqualTo(bytes("eu")));
	}

	@Test
	void ordersEuCannotReadWriteNorConsumeOrders() throws Exception {
		orders.coordinator().put("/secret/orders", bytes("orders"));
		assertCannotTouch("orders_eu", "orders", "secret.orders");
		assertThat(orders.coordinator().get("/secret/orders")).hasValueSatisfying(
				(entry) -> assertThat(entry.value()).isEqualTo(bytes("orders")));
	}

	/**
	 * As the user of one namespace, reads, writes and consumes the other's bucket; each is refused.
	 */
	private static void assertCannotTouch(String namespace, String other, String kvKey) throws Exception {
		JetStreamOptions shortRequests = JetStreamOptions.builder().requestTimeout(REFUSED_WITHIN).build();
		String stream = "KV_" + other;
		try (NodeUsers.RawNode node = new NodeUsers.RawNode(server.url(), namespace, "node-1")) {
			assertThatException().isThrownBy(() -> node.connection
				.keyValue(other, KeyValueOptions.builder().jetStreamOptions(shortRequests).build())
				.get(kvKey));
			assertThat(node.connection.request("$JS.API.DIRECT.GET." + stream + ".$KV." + other + "." + kvKey,
					new byte[0], REFUSED_WITHIN)).isNull();
			assertThat(node.connection.request("$JS.API.STREAM.MSG.GET." + stream, bytes("{\"seq\":1}"),
					REFUSED_WITHIN)).isNull();
			assertThatException().isThrownBy(() -> node.connection.jetStream(shortRequests)
				.publish("$KV." + other + "." + kvKey, bytes("forged")));
			assertThat(node.connection.request("$JS.API.CONSUMER.CREATE." + stream + "." + other + "_node-1",
					new byte[0], REFUSED_WITHIN)).isNull();
			assertThat(node.connection.request("$JS.API.CONSUMER.CREATE." + stream, new byte[0], REFUSED_WITHIN))
				.isNull();
			assertThat(node.connection.request("$JS.API.CONSUMER.MSG.NEXT." + stream + "." + other + "_node-1",
					new byte[0], REFUSED_WITHIN)).isNull();
			Subscription watch = node.connection.subscribe("$KV." + other + ".>");
			String violation = "Permissions Violation for Publish to \"";
			await().until(() -> node.errors.containsAll(List.of(
					violation + "$JS.API.STREAM.INFO." + stream + "\"",
					violation + "$JS.API.DIRECT.GET." + stream + ".$KV." + other + "." + kvKey + "\"",
					violation + "$JS.API.STREAM.MSG.GET." + stream + "\"",
					violation + "$KV." + other + "." + kvKey + "\"",
					violation + "$JS.API.CONSUMER.CREATE." + stream + "." + other + "_node-1\"",
					violation + "$JS.API.CONSUMER.CREATE." + stream + "\"",
					violation + "$JS.API.CONSUMER.MSG.NEXT." + stream + "." + other + "_node-1\"",
					"Permissions Violation for Subscription to \"$KV." + other + ".>\"")));
			assertThat(watch.nextMessage(REFUSED_WITHIN)).isNull();
		}
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
