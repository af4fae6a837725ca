package dev.coordinator.nats;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.coordinator.CoordinatorEvent;
import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.support.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reader's idle check on a real nats-server: after {@link EventLogContainer#IDLE_CHECK} without deliveries
 * it asks the server whether changes wait for this node. A change written just before that question is on its
 * way and must not be taken for a lost delivery (which repositions the consumer, mid-load); a stall that a
 * second check confirms must still be found.
 */
class IdleCheckTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private static Connection connection;

	private final NatsCoordinatorSettings settings = NatsCoordinatorSettings.defaults("node-1",
			"idle-" + namespaces.incrementAndGet());

	private final List<CoordinatorEvent> events = new CopyOnWriteArrayList<>();

	/** Calls to delete this node's consumer, as a reposition makes. */
	private final AtomicInteger deletions = new AtomicInteger();

	/** When the first of them was made, by {@link System#nanoTime()}. */
	private final AtomicLong firstDeletionAt = new AtomicLong();

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
	void aChangeWrittenWhileTheCheckAsksTheServerIsReceivedNotTakenForALostDelivery() throws Exception {
		AtomicBoolean armed = new AtomicBoolean();
		AtomicLong written = new AtomicLong();
		startContainer((management, method, args) -> {
			if (method.getName().equals("getConsumerInfo") && armed.compareAndSet(true, false)) {
				// The race, made certain: a change is written and delivered while the check waits for its answer,
				// so the answer says "delivered" for a change the reader has not read yet.
				long revision = this.coordinator.put("/nodes/late", "x".getBytes(StandardCharsets.UTF_8));
				written.set(revision);
				long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
				ConsumerInfo info;
				do {
					info = (ConsumerInfo) method.invoke(management, args);
				}
				while ((info.getDelivered().getStreamSequence() < revision || info.getNumAckPending() == 0)
						&& System.nanoTime() < deadline);
				return info;
			}
			return method.invoke(management, args);
		});
		long first = this.coordinator.put("/nodes/first", "x".getBytes(StandardCharsets.UTF_8));
		await().until(() -> this.events.stream().anyMatch((event) -> event.getRevision() == first));
		armed.set(true);

		await().atMost(EventLogContainer.IDLE_CHECK.multipliedBy(3))
			.until(() -> written.get() > 0
					&& this.events.stream().anyMatch((event) -> event.getRevision() == written.get()));
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> this.deletions.get() == 0);
		assertThat(this.events).extracting(CoordinatorEvent::getKey).containsExactly("/nodes/first", "/nodes/late");
	}

	@Test
	void aStallThatASecondCheckConfirmsStillRepositionsTheConsumer() throws Exception {
		AtomicBoolean stalled = new AtomicBoolean();
		startContainer((management, method, args) -> {
			Object result = method.invoke(management, args);
			if (method.getName().equals("getConsumerInfo") && stalled.get()) {
				// Deliveries lost on their way: the server delivered a change this node never receives.
				return withUnreceivedDelivery((ConsumerInfo) result);
			}
			if (method.getName().equals("deleteConsumer")) {
				stalled.set(false);
			}
			return result;
		});
		long first = this.coordinator.put("/nodes/first", "x".getBytes(StandardCharsets.UTF_8));
		await().until(() -> this.events.stream().anyMatch((event) -> event.getRevision() == first));
		long stalledAt = System.nanoTime();
		stalled.set(true);

		await().atMost(EventLogContainer.IDLE_CHECK.multipliedBy(4)).until(() -> this.deletions.get() > 0);
		Duration untilReposition = Duration.ofNanos(this.firstDeletionAt.get() - stalledAt);
		// Not at the first check, about 3 s after the last delivery, but at the second, about 6 s after it.
		assertThat(untilReposition).isGreaterThan(EventLogContainer.IDLE_CHECK.multipliedBy(3).dividedBy(2));
		long next = this.coordinator.put("/nodes/next", "x".getBytes(StandardCharsets.UTF_8));
		await().until(() -> this.events.stream().anyMatch((event) -> event.getRevision() == next));
	}

	/**
	 * The state of a consumer that delivered one change more than it did, and waits for its acknowledgement.
	 */
	private static ConsumerInfo withUnreceivedDelivery(ConsumerInfo info) throws Exception {
		long delivered = info.getDelivered().getStreamSequence() + 1;
		long deliveredToConsumer = info.getDelivered().getConsumerSequence() + 1;
		String json = String.format(Locale.ROOT, "{\"stream_name\":\"%s\",\"name\":\"%s\",\"created\":\"%s\","
				+ "\"config\":{\"durable_name\":\"%s\",\"ack_policy\":\"all\"},"
				+ "\"delivered\":{\"consumer_seq\":%d,\"stream_seq\":%d},"
				+ "\"ack_floor\":{\"consumer_seq\":%d,\"stream_seq\":%d},"
				+ "\"num_ack_pending\":1,\"num_redelivered\":0,\"num_waiting\":1,\"num_pending\":0}",
				info.getStreamName(), info.getName(), info.getCreationTime().toInstant(), info.getName(),
				deliveredToConsumer, delivered, info.getAckFloor().getConsumerSequence(),
				info.getAckFloor().getStreamSequence());
		return new ConsumerInfo(JsonParser.parse(json));
	}

	private void startContainer(InterceptedContainers.Interceptor interceptor) throws Exception {
		this.coordinator = new NatsCoordinator(connection, this.settings);
		this.coordinator.afterPropertiesSet();
		this.container = InterceptedContainers.start(connection, this.coordinator, this.events::add,
				(management, method, args) -> {
					if (method.getName().equals("deleteConsumer") && this.deletions.getAndIncrement() == 0) {
						this.firstDeletionAt.set(System.nanoTime());
					}
					return interceptor.invoke(management, method, args);
				});
	}

}
