package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.nats.OriginSigner;
import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.NKey;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Signed origins on a real nats-server: signing nodes exchange verified changes, a client that publishes to the
 * bucket in another node's name is flagged or not delivered, the seed is never shown, and unsigned writes keep
 * the wire format older readers know.
 */
@ExtendWith(OutputCaptureExtension.class)
class OriginSigningTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private final String namespace = "origin-" + namespaces.incrementAndGet();

	private final List<AutoCloseable> closing = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (int i = this.closing.size() - 1; i >= 0; i--) {
			this.closing.get(i).close();
		}
		LoggingSystem.get(getClass().getClassLoader()).setLogLevel("dev.coordinator", LogLevel.INFO);
	}

	@Test
	void signingNodesExchangeVerifiedChanges() throws Exception {
		TestNode one = node("node-1", newSeed(), "drop");
		TestNode two = node("node-2", newSeed(), "drop");

		one.coordinator().put("/schema/from-1", bytes("a"));
		two.coordinator().put("/schema/from-2", bytes("b"));
		// With history 1, a revision replaced before it is read is gone: delete once the put arrived.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestNode.keys(two.listeners().schema).contains("/schema/from-1"));
		one.coordinator().delete("/schema/from-1");

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(two.listeners().schema).extracting(CoordinatorEvent::getKey, CoordinatorEvent::getAction)
				.contains(tuple("/schema/from-1", CoordinatorAction.PUT),
						tuple("/schema/from-1", CoordinatorAction.DELETE));
			assertThat(one.listeners().schema).extracting(CoordinatorEvent::getKey).contains("/schema/from-2");
		});
		assertThat(two.listeners().schema).filteredOn((event) -> "node-1".equals(event.getOrigin()))
			.extracting(CoordinatorEvent::getOriginVerification)
			.containsOnly(OriginVerification.VERIFIED);
		assertThat(one.listeners().schema).filteredOn((event) -> event.getKey().equals("/schema/from-2"))
			.extracting(CoordinatorEvent::getOriginVerification)
			.containsExactly(OriginVerification.VERIFIED);
		// Membership records are signed changes too, and the members learned each other's keys from them.
		assertThat(one.listeners().nodes).extracting(CoordinatorEvent::getOriginVerification)
			.containsOnly(OriginVerification.VERIFIED);
		assertThat(one.container().statistics().rejected()).isZero();
		assertThat(two.container().statistics().rejected()).isZero();
	}

	@Test
	void forgedOriginsAreFlagged() throws Exception {
		String seed = newSeed();
		node("node-1", seed, "flag");
		TestNode two = node("node-2", newSeed(), "flag");
		String attacker = newSeed();

		try (Connection client = server.connect()) {
			publish(client, two, "/schema/unsigned", "x", "node-1", null);
			publish(client, two, "/schema/wrong-key", "x", "node-1", attacker);
			publish(client, two, "/schema/unknown-node", "x", "node-9", attacker);
			// Another client that holds node-1's seed and follows docs/wire-format.md writes in its name.
			publish(client, two, "/schema/right-key", "x", "node-1", seed);
		}

		await().atMost(Duration.ofSeconds(10)).until(() -> two.listeners().schema.size() == 4);
		assertThat(two.listeners().schema)
			.extracting(CoordinatorEvent::getKey, CoordinatorEvent::getOrigin, CoordinatorEvent::getOriginVerification)
			.containsExactly(
					tuple("/schema/unsigned", "node-1", OriginVerification.UNSIGNED),
					tuple("/schema/wrong-key", "node-1", OriginVerification.INVALID),
					tuple("/schema/unknown-node", "node-9",
							OriginVerification.UNKNOWN_SIGNER),
					tuple("/schema/right-key", "node-1", OriginVerification.VERIFIED));
		assertThat(two.container().statistics().rejected()).isZero();

		// A membership record that gives live node-1 another key, signed by that key: trusted on first use only.
		String attackerKey = new String(NKey.fromSeed(attacker.toCharArray()).getPublicKey());
		try (Connection client = server.connect()) {
			publish(client, two, "/nodes/node-1", "{\"nodeId\":\"node-1\",\"host\":\"elsewhere\",\"startedAt\":"
					+ "\"2020-01-01T00:00:00Z\",\"metadata\":{},\"publicKey\":\"" + attackerKey + "\"}", "node-1",
					attacker);
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(two.listeners().nodes)
				.filteredOn((event) -> event.getOriginVerification() == OriginVerification.INVALID)
				.extracting(CoordinatorEvent::getKey)
				.containsExactly("/nodes/node-1"));
	}

	@Test
	void forgedOriginsAreNotDeliveredWithDrop(CapturedOutput output) throws Exception {
		node("node-1", newSeed(), "drop");
		TestNode two = node("node-2", newSeed(), "drop");

		try (Connection client = server.connect()) {
			publish(client, two, "/schema/unsigned", "x", "node-1", null);
			publish(client, two, "/schema/wrong-key", "x", "node-1", newSeed());
			publish(client, two, "/schema/wrong-key-again", "x", "node-1", newSeed());
		}
		two.coordinator().put("/schema/genuine", bytes("y"));

		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestNode.keys(two.listeners().schema).contains("/schema/genuine"));
		assertThat(TestNode.keys(two.listeners().schema)).containsExactly("/schema/genuine");
		assertThat(two.container().statistics().rejected()).isEqualTo(3);
		assertThat(two.container().statistics().malformed()).isZero();
		// Acknowledged: nothing waits to be delivered again.
		await().atMost(Duration.ofSeconds(10)).until(() -> two.container().pending() == 0);
		// Logged at WARN for the first rejection of an origin only.
		assertThat(output.getAll().lines().filter((line) -> line.contains("WARN")
				&& line.contains("claimed origin 'node-1'")))
			.isNotEmpty()
			.allSatisfy((line) -> assertThat(line).contains("key '/schema/unsigned'").contains("UNSIGNED"));
	}

	@Test
	void seedIsNeverShown(CapturedOutput output) throws Exception {
		LoggingSystem.get(getClass().getClassLoader()).setLogLevel("dev.coordinator", LogLevel.TRACE);
		String seed = newSeed();
		TestNode one = node("node-1", seed, "flag");
		one.coordinator().put("/schema/a", bytes("a"));
		await().atMost(Duration.ofSeconds(10)).until(() -> one.listeners().schema.size() == 1);

		OriginSigner signer = one.natsCoordinator().getOriginSigner();
		assertThat(signer).isNotNull();
		assertThat(signer.toString()).contains(signer.publicKey()).doesNotContain(seed);
		assertThat(one.natsCoordinator().toString()).doesNotContain(seed);
		assertThat(one.context().getBean(dev.coordinator.autoconfigure.CoordinatorProperties.class).toString())
			.doesNotContain(seed);
		assertThat(output.getAll()).contains("signs the changes it writes with NKey " + signer.publicKey())
			.doesNotContain(seed);
	}

	@Test
	void invalidSeedFailsStartupWithoutShowingIt(CapturedOutput output) {
		String notUserSeed = new String(NKey.fromSeed(newAccountSeed().toCharArray()).getSeed());
		assertThatException().isThrownBy(() -> node("node-1", notUserSeed, "none"))
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("coordinator.origin.seed")
			.withMessageContaining("not of a user NKey")
			.withMessageNotContaining(notUserSeed);
		assertThatException().isThrownBy(() -> start("node-2", "coordinator.origin.sign=true"))
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("coordinator.origin.seed");
		assertThat(output.getAll()).doesNotContain(notUserSeed);
	}

	@Test
	void verifyWithoutMembershipFailsStartup() {
		assertThatException().isThrownBy(() -> start("node-1", "coordinator.origin.verify=drop"))
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("coordinator.origin.verify")
			.withMessageContaining("coordinator.membership.enabled=true");
	}

	@Test
	void unsignedWritesKeepTheirFormatAndReadersWithoutVerificationIgnoreSignatures() throws Exception {
		TestNode plain = start("node-1", "coordinator.membership.enabled=true");
		TestNode signing = node("node-2", newSeed(), "none");
		long unsigned = plain.coordinator().put("/schema/plain", bytes("p"));
		long signed = signing.coordinator().put("/schema/signed", bytes("s"));

		try (Connection client = server.connect()) {
			JetStreamManagement management = client.jetStreamManagement();
			String stream = "KV_" + plain.natsCoordinator().getSettings().bucketName();
			Headers plainHeaders = management.getMessage(stream, unsigned).getHeaders();
			// Format version 1 is written as no Coordinator-Format header at all (absent means 1).
			assertThat(plainHeaders.keySet()).contains("Coordinator-Origin")
				.doesNotContain("Coordinator-Signature", "Coordinator-Format");
			Headers signedHeaders = management.getMessage(stream, signed).getHeaders();
			assertThat(signedHeaders.keySet()).containsExactlyInAnyOrderElementsOf(
					union(plainHeaders.keySet(), "Coordinator-Signature"));
			MessageInfo record = management.getLastMessage(stream,
					"$KV." + plain.natsCoordinator().getSettings().bucketName() + ".nodes.node-1");
			assertThat(new String(record.getData(), StandardCharsets.UTF_8)).doesNotContain("publicKey");
		}
		// A node that does not verify delivers a signed change as before.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> TestNode.keys(plain.listeners().schema).contains("/schema/signed"));
		assertThat(plain.listeners().schema).extracting(CoordinatorEvent::getOriginVerification)
			.containsOnly(OriginVerification.NOT_CHECKED);
		assertThat(plain.container().statistics().malformed()).isZero();
	}

	private TestNode node(String nodeId, String seed, String verify) {
		return start(nodeId, "coordinator.membership.enabled=true", "coordinator.origin.sign=true",
				"coordinator.origin.seed=" + seed, "coordinator.origin.verify=" + verify);
	}

	private TestNode start(String nodeId, String... properties) {
		List<String> all = new ArrayList<>(List.of("coordinator.membership.lease-ttl=2s",
				"coordinator.membership.heartbeat=500ms"));
		all.addAll(List.of(properties));
		TestNode node = TestNode.start(server.url(), this.namespace, nodeId, all.toArray(String[]::new));
		this.closing.add(node);
		return node;
	}

	/**
	 * Publishes a change as another client would, with the headers of docs/wire-format.md, signed with a seed
	 * over the canonical bytes documented there.
	 */
	private static void publish(Connection client, TestNode node, String key, String value, String origin,
			String seed) throws Exception {
		String kvKey = key.substring(1).replace('/', '.');
		Headers headers = new Headers().put("Coordinator-Format", "1").put("Coordinator-Origin", origin);
		byte[] body = bytes(value);
		if (seed != null) {
			String signed = "Coordinator-Signature/1\n" + kvKey + "\nPUT\n"
					+ HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\n" + origin
					+ "\ntrue";
			byte[] signature = NKey.fromSeed(seed.toCharArray()).sign(signed.getBytes(StandardCharsets.UTF_8));
			headers.put("Coordinator-Signature", Base64.getUrlEncoder().withoutPadding().encodeToString(signature));
		}
		Message message = NatsMessage.builder()
			.subject("$KV." + node.natsCoordinator().getSettings().bucketName() + "." + kvKey)
			.headers(headers)
			.data(body)
			.build();
		client.jetStream().publish(message);
	}

	private static String newSeed() {
		try {
			return new String(NKey.createUser(new SecureRandom()).getSeed());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String newAccountSeed() {
		try {
			return new String(NKey.createAccount(new SecureRandom()).getSeed());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> union(java.util.Set<String> names, String name) {
		List<String> all = new ArrayList<>(names);
		all.add(name);
		return all;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
