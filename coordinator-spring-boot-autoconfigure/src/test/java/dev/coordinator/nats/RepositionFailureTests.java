package dev.coordinator.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.CoordinatorEvent;
import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullRequestOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reposition (delete this node's consumer, create it again after the last processed revision) whose creation
 * fails, or whose creation reply is lost, on a real nats-server: the node must finish the reposition, not take
 * the missing consumer for an expired one and resynchronise at the log's end, which loses every change since
 * the last processed revision for listeners without initial state.
 */
class RepositionFailureTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private static Connection connection;

	private final NatsCoordinatorSettings settings = NatsCoordinatorSettings.defaults("node-1",
			"reposition-" + namespaces.incrementAndGet());

	private final List<CoordinatorEvent> events = new CopyOnWriteArrayList<>();

	private NatsCoordinator coordinator;

	private EventLogContainer container;

	@BeforeAll
	static void connect() throws Exception {
		connection = server.connect();
	}

	@AfterEach
	void stop() {
		this.container.stop();
		this.coordinator.destroy();
	}

	@Test
	void aCreationThatFailsAfterTheDeleteIsRetriedNotTakenForAnExpiredConsumer() throws Exception {
		long lost = leaveAnUnreceivedDelivery();
		AtomicInteger failures = new AtomicInteger(1);

		startContainer((management, method, args) -> {
			if (method.getName().equals("addOrUpdateConsumer") && failures.getAndDecrement() > 0) {
				throw new IOException("Timeout or no response waiting for NATS JetStream server (injected)");
			}
			return method.invoke(management, args);
		});

		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.size() == 1);
		assertThat(this.events.get(0).getRevision()).isEqualTo(lost);
		assertThat(this.container.statistics().resyncs()).isZero();
		assertThat(failures.get()).isNegative();
	}

	@Test
	void aCreationWhoseReplyIsLostIsFinishedNotTakenForAnExpiredConsumer() throws Exception {
		long lost = leaveAnUnreceivedDelivery();
		AtomicInteger failures = new AtomicInteger(1);

		startContainer((management, method, args) -> {
			Object result = method.invoke(management, args);
			if (method.getName().equals("addOrUpdateConsumer") && failures.getAndDecrement() > 0) {
				throw new IOException("Timeout or no response waiting for NATS JetStream server (injected)");
			}
			return result;
		});

		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.size() == 1);
		assertThat(this.events.get(0).getRevision()).isEqualTo(lost);
		assertThat(this.container.statistics().resyncs()).isZero();
	}

	@Test
	void aCreationSlowerThanTheRequestTimeoutEveryTimeIsKeptNotDeletedByTheRetry() throws Exception {
		long lost = leaveAnUnreceivedDelivery();
		AtomicInteger creations = new AtomicInteger();

		// As on a loaded cluster with a server down: the server creates the consumer, but its answer comes after
		// the request timeout, every time.
		startContainer((management, method, args) -> {
			Object result = method.invoke(management, args);
			if (method.getName().equals("addOrUpdateConsumer")) {
				creations.incrementAndGet();
				throw new IOException("Timeout or no response waiting for NATS JetStream server (injected)");
			}
			return result;
		});

		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.size() == 1);
		assertThat(this.events.get(0).getRevision()).isEqualTo(lost);
		assertThat(this.container.statistics().resyncs()).isZero();
		assertThat(creations.get()).isEqualTo(1);
	}

	/**
	 * Runs the node once, then leaves a change delivered to another subscriber of its consumer and not
	 * acknowledged: the restarted node must position its consumer again to receive it.
	 * @return the revision of that change
	 */
	private long leaveAnUnreceivedDelivery() throws Exception {
		startContainer((management, method, args) -> method.invoke(management, args));
		this.container.stop();
		String stream = this.settings.streamName();
		String durable = this.settings.durableName();
		JetStreamSubscription elsewhere = connection.jetStream()
			.subscribe(null, PullSubscribeOptions.fastBind(stream, durable));
		elsewhere.pull(PullRequestOptions.builder(10).expiresIn(Duration.ofSeconds(30)).build());
		connection.flush(Duration.ofSeconds(2));
		long revision = this.coordinator.put("/nodes/unreceived", "x".getBytes(StandardCharsets.UTF_8));
		JetStreamManagement management = connection.jetStreamManagement();
		await().until(() -> {
			ConsumerInfo info = management.getConsumerInfo(stream, durable);
			return info.getDelivered().getStreamSequence() == revision && info.getNumAckPending() > 0;
		});
		elsewhere.unsubscribe();
		this.events.clear();
		return revision;
	}

	private void startContainer(InterceptedContainers.Interceptor interceptor) throws IOException {
		if (this.coordinator == null) {
			this.coordinator = new NatsCoordinator(connection, this.settings);
			this.coordinator.afterPropertiesSet();
		}
		this.container = InterceptedContainers.start(connection, this.coordinator, this.events::add, interceptor);
	}

}
