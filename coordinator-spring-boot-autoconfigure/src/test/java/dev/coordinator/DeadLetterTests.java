package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead-letter stream on a real nats-server: bounded, safe for values near the server's payload limit, and
 * never keeping the values of a key after it was deleted.
 */
class DeadLetterTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private static Connection raw;

	private final String namespace = "dead-letters-" + namespaces.incrementAndGet();

	private TestNode node;

	@BeforeAll
	static void connect() throws Exception {
		raw = server.connect();
	}

	@AfterEach
	void stop() {
		this.node.close();
	}

	private TestNode start(String... properties) {
		this.node = TestNode.start(server.url(), this.namespace, "node-a", properties);
		return this.node;
	}

	@Test
	void theStreamIsBoundedAndDropsTheOldestFirst() throws Exception {
		start("coordinator.dead-letters.max-messages=500", "coordinator.dead-letters.max-bytes=2MB");

		StreamConfiguration configuration = raw.jetStreamManagement()
			.getStreamInfo(this.namespace + "_dead_letters")
			.getConfiguration();

		assertThat(configuration.getMaxMsgs()).isEqualTo(500);
		assertThat(configuration.getMaxBytes()).isEqualTo(2 * 1024 * 1024);
		assertThat(configuration.getDiscardPolicy()).isEqualTo(DiscardPolicy.Old);
	}

	@Test
	void aValueNearThePayloadLimitIsRecordedWithoutItAndTheConnectionStays() throws Exception {
		TestNode node = start("coordinator.listener.attempts=1");
		Connection connection = node.context().getBean(Connection.class);
		List<ConnectionListener.Events> events = new CopyOnWriteArrayList<>();
		connection.addConnectionListener((conn, event) -> events.add(event));
		node.coordinator().watch("/big/", (event) -> {
			throw new IllegalStateException("a long explanation: " + "x".repeat(900));
		});
		// As large as a write may be (the server's limit less the 640 bytes NatsCoordinator keeps for headers): the
		// dead letter's headers (reason, listener, ...) are larger than the write's.
		byte[] large = new byte[(int) connection.getMaxPayload() - 640];

		long revision = node.coordinator().put("/big/large", large);
		node.coordinator().put("/nodes/after", bytes("after"));

		await().atMost(Duration.ofSeconds(10)).until(() -> node.listeners().nodes.size() == 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> deadLettersOf("big.large").size() == 1);
		MessageInfo deadLetter = deadLettersOf("big.large").get(0);
		assertThat(deadLetter.getHeaders().getFirst("Coordinator-Revision")).isEqualTo(Long.toString(revision));
		assertThat(deadLetter.getHeaders().getFirst("Coordinator-Value-Omitted")).startsWith(large.length + " bytes");
		assertThat(deadLetter.getData()).isNullOrEmpty();
		assertThat(events).doesNotContain(ConnectionListener.Events.DISCONNECTED);
		assertThat(connection.getStatus()).isEqualTo(Connection.Status.CONNECTED);
	}

	@Test
	void theDeadLettersOfAKeyGoWithTheKey() throws Exception {
		TestNode node = start("coordinator.listener.attempts=1");
		node.coordinator().put("/fail/secret", bytes("s3cret"));
		node.coordinator().put("/fail/other", bytes("kept"));
		await().atMost(Duration.ofSeconds(10)).until(() -> deadLettersOf("fail.secret").size() == 1
				&& deadLettersOf("fail.other").size() == 1);

		node.coordinator().delete("/fail/secret");
		node.coordinator().put("/nodes/after", bytes("after"));

		// The listener fails on the delete too: that dead letter stays, and holds no value.
		await().atMost(Duration.ofSeconds(10)).until(() -> node.listeners().nodes.size() == 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> deadLettersOf("fail.secret").stream()
			.noneMatch((deadLetter) -> deadLetter.getData() != null && deadLetter.getData().length > 0));
		assertThat(deadLettersOf("fail.other")).singleElement()
			.satisfies((deadLetter) -> assertThat(new String(deadLetter.getData(), StandardCharsets.UTF_8)).isEqualTo("kept"));
	}

	private List<MessageInfo> deadLettersOf(String kvKey) throws Exception {
		JetStreamManagement management = raw.jetStreamManagement();
		String stream = this.namespace + "_dead_letters";
		String subject = "coordinator-dead-letters." + this.namespace + ".node-a." + kvKey;
		List<MessageInfo> found = new CopyOnWriteArrayList<>();
		long first = management.getStreamInfo(stream).getStreamState().getFirstSequence();
		long last = management.getStreamInfo(stream).getStreamState().getLastSequence();
		for (long seq = Math.max(first, 1); seq <= last; seq++) {
			try {
				MessageInfo info = management.getMessage(stream, seq);
				if (info.getSubject().equals(subject)) {
					found.add(info);
				}
			}
			catch (io.nats.client.JetStreamApiException ex) {
				// Purged.
			}
		}
		return found;
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
