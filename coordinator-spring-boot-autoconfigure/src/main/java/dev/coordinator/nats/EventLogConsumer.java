package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.coordinator.CoordinatorException;
import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.JetStreamOptions;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's durable pull consumer of the bucket's stream and the thread that reads it.
 *
 * <p>The consumer is created once, with deliver policy {@code New}, and from then on only resumed: on
 * reconnect and on restart with the same node id the server continues after the last acknowledged event.
 * Messages are handed to the {@link Processor} on this consumer's own thread, one at a time in stream order,
 * and acknowledged only after it returned. A message delivered again (its acknowledgement was lost, or it
 * outlived the ack wait) whose key already had this or a later revision processed is acknowledged without
 * being processed again.
 */
final class EventLogConsumer {

	private static final Logger logger = LoggerFactory.getLogger(EventLogConsumer.class);

	private static final Duration POLL = Duration.ofMillis(250);

	private static final Duration DRAIN_POLL = Duration.ofMillis(100);

	private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final JetStreamOptions jetStreamOptions;

	private final Processor processor;

	/** Highest revision processed per subject, so that redelivered messages are processed once. */
	private final Map<String, Long> processedRevisions = new HashMap<>();

	private volatile boolean running;

	private @Nullable Thread thread;

	private @Nullable CountDownLatch stopped;

	EventLogConsumer(Connection connection, NatsCoordinatorSettings settings, JetStreamOptions jetStreamOptions,
			Processor processor) {
		this.connection = connection;
		this.settings = settings;
		this.jetStreamOptions = jetStreamOptions;
		this.processor = processor;
	}

	/**
	 * Creates this node's durable consumer, or resumes the one a previous run of the node left.
	 */
	void prepare() throws IOException, JetStreamApiException {
		JetStreamManagement management = this.connection.jetStreamManagement(this.jetStreamOptions);
		String stream = this.settings.streamName();
		String durable = this.settings.durableName();
		ConsumerConfiguration wanted = configuration(null);
		ConsumerInfo existing = findConsumer(management, stream, durable);
		if (existing == null) {
			ConsumerInfo created = management.addOrUpdateConsumer(stream, wanted);
			logger.info("Created durable consumer '{}' of stream '{}': node '{}' receives changes from revision {} on",
					durable, stream, this.settings.nodeId(), created.getDelivered().getStreamSequence() + 1);
			return;
		}
		ConsumerConfiguration current = existing.getConsumerConfiguration();
		if (current.getAckPolicy() != AckPolicy.Explicit || current.getFilterSubject() != null
				|| current.getDeliverSubject() != null) {
			throw new CoordinatorException("Consumer '" + durable + "' of stream '" + stream
					+ "' exists but is not a coordinator consumer (ack policy " + current.getAckPolicy()
					+ ", filter " + current.getFilterSubject() + ", deliver subject " + current.getDeliverSubject()
					+ "); delete it or give this node another coordinator.node-id");
		}
		if (!current.getAckWait().equals(wanted.getAckWait())
				|| current.getMaxAckPending() != wanted.getMaxAckPending()
				|| !current.getInactiveThreshold().equals(wanted.getInactiveThreshold())) {
			management.addOrUpdateConsumer(stream, configuration(current.getDeliverPolicy()));
		}
		logger.info("Resuming durable consumer '{}' of stream '{}' after revision {} ({} changes waiting)", durable,
				stream, existing.getAckFloor().getStreamSequence(), existing.getNumPending() + existing.getNumAckPending());
	}

	/**
	 * Starts reading on a thread of its own.
	 */
	synchronized void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		this.stopped = new CountDownLatch(1);
		Thread reader = new Thread(this::run, "coordinator-" + this.settings.namespace() + "-events");
		reader.setDaemon(true);
		this.thread = reader;
		reader.start();
	}

	/**
	 * Stops pulling, lets the events already received finish, and waits for the thread to end.
	 * @return whether the thread ended within the shutdown timeout
	 */
	boolean stop() {
		CountDownLatch latch;
		synchronized (this) {
			if (!this.running) {
				return true;
			}
			this.running = false;
			latch = this.stopped;
		}
		try {
			Duration timeout = this.settings.consumer().shutdownTimeout().plus(POLL).plus(DRAIN_POLL);
			boolean ended = latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (!ended) {
				logger.warn("Event reader of '{}' did not stop within {}; a listener is still running. "
						+ "Unacknowledged events are delivered again when the node restarts.", this.settings.durableName(),
						timeout);
			}
			return ended;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	boolean isRunning() {
		return this.running;
	}

	private void run() {
		try {
			while (this.running) {
				try (IterableConsumer messages = iterate()) {
					read(messages);
				}
				catch (JetStreamStatusCheckedException | IOException | JetStreamApiException ex) {
					if (this.running) {
						logger.warn("Reading events of '{}' failed: {}; retrying in {}", this.settings.durableName(),
								ex.getMessage(), RETRY_DELAY);
						sleep(RETRY_DELAY);
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				catch (Exception ex) {
					logger.error("Event reader of '{}' failed unexpectedly; restarting it in {}",
							this.settings.durableName(), RETRY_DELAY, ex);
					sleep(RETRY_DELAY);
				}
			}
		}
		finally {
			CountDownLatch latch = this.stopped;
			if (latch != null) {
				latch.countDown();
			}
		}
	}

	private IterableConsumer iterate() throws IOException, JetStreamApiException {
		ConsumerContext context = this.connection.getConsumerContext(this.settings.streamName(),
				this.settings.durableName(), this.jetStreamOptions);
		return context.iterate(ConsumeOptions.builder().batchSize(this.settings.consumer().batchSize()).build());
	}

	private void read(IterableConsumer messages) throws JetStreamStatusCheckedException, InterruptedException {
		while (this.running) {
			Message message = messages.nextMessage(POLL);
			if (message != null) {
				handle(message);
			}
		}
		messages.stop();
		long deadline = System.nanoTime() + this.settings.consumer().shutdownTimeout().toNanos();
		while (System.nanoTime() < deadline) {
			Message message = messages.nextMessage(DRAIN_POLL);
			if (message == null) {
				return;
			}
			handle(message);
		}
	}

	private void handle(Message message) {
		long revision = message.metaData().streamSequence();
		String subject = message.getSubject();
		Long processed = this.processedRevisions.get(subject);
		if (processed != null && revision <= processed) {
			logger.debug("Skipping revision {} of '{}': revision {} was processed already", revision, subject, processed);
			acknowledge(message, false);
			return;
		}
		boolean accepted = this.processor.process(message);
		this.processedRevisions.put(subject, revision);
		acknowledge(message, !accepted);
	}

	private void acknowledge(Message message, boolean terminate) {
		try {
			if (terminate) {
				message.term();
			}
			else {
				message.ack();
			}
		}
		catch (IllegalStateException ex) {
			logger.debug("Could not acknowledge revision {}: {}; the server delivers it again and it is skipped",
					message.metaData().streamSequence(), ex.getMessage());
		}
	}

	private ConsumerConfiguration configuration(@Nullable DeliverPolicy deliverPolicy) {
		NatsCoordinatorSettings.Consumer consumer = this.settings.consumer();
		return ConsumerConfiguration.builder()
			.durable(this.settings.durableName())
			.description("Coordinator events of node " + this.settings.nodeId())
			.deliverPolicy((deliverPolicy != null) ? deliverPolicy : DeliverPolicy.New)
			.ackPolicy(AckPolicy.Explicit)
			.ackWait(consumer.ackWait())
			.maxAckPending(consumer.maxAckPending())
			.inactiveThreshold(consumer.inactiveThreshold())
			.build();
	}

	private static @Nullable ConsumerInfo findConsumer(JetStreamManagement management, String stream, String durable)
			throws IOException, JetStreamApiException {
		try {
			return management.getConsumerInfo(stream, durable);
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() == 10014) {
				return null;
			}
			throw ex;
		}
	}

	private void sleep(Duration delay) {
		try {
			Thread.sleep(delay.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running = false;
		}
	}

	/**
	 * Processes one message of the stream.
	 */
	@FunctionalInterface
	interface Processor {

		/**
		 * Processes a message.
		 * @param message the message
		 * @return {@code true} to acknowledge it, {@code false} to terminate it (it can never be processed)
		 */
		boolean process(Message message);

	}

}
