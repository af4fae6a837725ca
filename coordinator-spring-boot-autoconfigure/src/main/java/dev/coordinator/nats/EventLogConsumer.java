package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.coordinator.CoordinatorException;
import io.nats.client.ConnectionListener;
import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's durable pull consumer of the bucket's stream and the thread that reads it.
 *
 * <p>The consumer is created once, with deliver policy {@code New}, and from then on only resumed: on
 * reconnect and on restart with the same node id the server continues after the last acknowledged event.
 * Messages are handed to the {@link Callbacks} on this consumer's own thread, one at a time in stream order,
 * and acknowledged only after they returned; while one is processed, the server is told every third of the
 * ack wait that it is in progress, so a slow listener does not cause redelivery. A message delivered again
 * (its acknowledgement was lost) whose key already had this or a later revision processed is acknowledged
 * without being processed again.
 *
 * <p>When the consumer is gone (deleted after the inactive threshold, or by an operator), the place in the
 * log is lost: the {@link Callbacks#resync resync} callback reads the stored state, and the consumer is
 * created again after the revision that state reflects.
 */
final class EventLogConsumer {

	private static final Logger logger = LoggerFactory.getLogger(EventLogConsumer.class);

	private static final int CONSUMER_NOT_FOUND = 10014;

	private static final int NO_MESSAGE_FOUND = 10037;

	private static final Duration POLL = Duration.ofMillis(250);

	private static final Duration DRAIN_POLL = Duration.ofMillis(100);

	private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

	private static final Duration IDLE_CHECK = Duration.ofSeconds(10);

	/** Pull requests expire after this, so that missed heartbeats are noticed within seconds. */
	private static final Duration PULL_EXPIRY = Duration.ofSeconds(5);

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final JetStreamOptions jetStreamOptions;

	private final Callbacks callbacks;

	/**
	 * Highest revision processed per subject, for the messages delivered again. Only messages above the ack
	 * floor are delivered again, and at most max-ack-pending of them, so the most recent subjects suffice.
	 */
	private final Map<String, Processed> processedRevisions;

	private volatile long lastProcessedRevision;

	private volatile @Nullable Message inProcess;

	private volatile boolean running;

	private volatile boolean reconnected;

	private final ConnectionListener reconnects = (connection, event) -> {
		if (event == ConnectionListener.Events.RECONNECTED || event == ConnectionListener.Events.RESUBSCRIBED) {
			this.reconnected = true;
		}
	};

	private boolean synced;

	private @Nullable CountDownLatch stopped;

	private @Nullable ScheduledExecutorService progress;

	EventLogConsumer(Connection connection, NatsCoordinatorSettings settings, JetStreamOptions jetStreamOptions,
			Callbacks callbacks) {
		this.connection = connection;
		this.settings = settings;
		this.jetStreamOptions = jetStreamOptions;
		this.callbacks = callbacks;
		int window = 2 * settings.consumer().maxAckPending();
		this.processedRevisions = new LinkedHashMap<>(window, 0.75f, true) {

			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Processed> eldest) {
				return size() > window;
			}

		};
	}

	/**
	 * Creates this node's durable consumer, or resumes the one a previous run of the node left.
	 */
	void prepare() throws IOException, JetStreamApiException {
		JetStreamManagement management = management();
		String stream = this.settings.streamName();
		String durable = this.settings.durableName();
		ConsumerInfo existing = findConsumer(management);
		if (existing == null) {
			ConsumerInfo created = management.addOrUpdateConsumer(stream, configuration(DeliverPolicy.New, 0));
			logger.info("Created durable consumer '{}' of stream '{}': node '{}' receives changes from revision {} on. "
					+ "(A node that ran before with this id and was away longer than the inactive threshold missed "
					+ "the changes in between; initial-state listeners receive the stored state.)", durable, stream,
					this.settings.nodeId(), created.getDelivered().getStreamSequence() + 1);
			return;
		}
		ConsumerConfiguration current = existing.getConsumerConfiguration();
		if (current.getAckPolicy() != AckPolicy.Explicit || current.getFilterSubject() != null
				|| current.getDeliverSubject() != null) {
			throw new CoordinatorException("Consumer '" + durable + "' of stream '" + stream
					+ "' exists but is not a coordinator consumer (ack policy " + current.getAckPolicy() + ", filter "
					+ current.getFilterSubject() + ", deliver subject " + current.getDeliverSubject()
					+ "); delete it or give this node another coordinator.node-id");
		}
		ConsumerConfiguration wanted = configuration(current.getDeliverPolicy(), current.getStartSequence());
		if (!current.getAckWait().equals(wanted.getAckWait()) || current.getMaxAckPending() != wanted.getMaxAckPending()
				|| !current.getInactiveThreshold().equals(wanted.getInactiveThreshold())) {
			management.addOrUpdateConsumer(stream, wanted);
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
		long interval = Math.max(this.settings.consumer().ackWait().toMillis() / 3, 100);
		ScheduledExecutorService progressTimer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "coordinator-" + this.settings.namespace() + "-progress");
			thread.setDaemon(true);
			return thread;
		});
		progressTimer.scheduleAtFixedRate(this::reportProgress, interval, interval, TimeUnit.MILLISECONDS);
		this.progress = progressTimer;
		this.connection.addConnectionListener(this.reconnects);
		Thread reader = new Thread(this::run, "coordinator-" + this.settings.namespace() + "-events");
		reader.setDaemon(true);
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
		finally {
			this.connection.removeConnectionListener(this.reconnects);
			ScheduledExecutorService progressTimer = this.progress;
			if (progressTimer != null) {
				progressTimer.shutdownNow();
			}
		}
	}

	boolean isRunning() {
		return this.running;
	}

	long lastProcessedRevision() {
		return this.lastProcessedRevision;
	}

	private void run() {
		try {
			if (!this.synced) {
				this.callbacks.synchronize();
				this.synced = true;
			}
			while (this.running) {
				try (IterableConsumer messages = iterate()) {
					read(messages);
				}
				catch (JetStreamStatusCheckedException | IOException | JetStreamApiException ex) {
					if (this.running && !recoverLostConsumer()) {
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

	/**
	 * When the consumer is gone, resynchronises and creates it again after the revision the state reflects.
	 * @return whether the consumer was lost and has been recreated
	 */
	private boolean recoverLostConsumer() {
		try {
			JetStreamManagement management = management();
			if (findConsumer(management) != null) {
				return false;
			}
			long last = this.lastProcessedRevision;
			logger.warn("Durable consumer '{}' is gone (deleted after {} without contact, or by an operator): this node "
					+ "lost its place in the log after revision {} and resynchronises with the stored state",
					this.settings.durableName(), this.settings.consumer().inactiveThreshold(), last);
			long revision = this.callbacks.resync("durable consumer '" + this.settings.durableName() + "' was gone", last);
			this.processedRevisions.clear();
			management.addOrUpdateConsumer(this.settings.streamName(),
					configuration(DeliverPolicy.ByStartSequence, revision + 1));
			logger.info("Created durable consumer '{}' again from revision {}", this.settings.durableName(), revision + 1);
			return true;
		}
		catch (IOException | JetStreamApiException | CoordinatorException ex) {
			logger.warn("Could not check or recreate durable consumer '{}': {}", this.settings.durableName(),
					ex.getMessage());
			return false;
		}
	}

	private IterableConsumer iterate() throws IOException, JetStreamApiException {
		ConsumerContext context = this.connection.getConsumerContext(this.settings.streamName(),
				this.settings.durableName(), this.jetStreamOptions);
		return context.iterate(ConsumeOptions.builder()
			.batchSize(this.settings.consumer().batchSize())
			.expiresIn(PULL_EXPIRY.toMillis())
			.build());
	}

	private void read(IterableConsumer messages)
			throws JetStreamStatusCheckedException, InterruptedException, IOException, JetStreamApiException {
		long idleSince = System.nanoTime();
		while (this.running) {
			Message message = messages.nextMessage(POLL);
			if (message != null) {
				handle(message);
				idleSince = System.nanoTime();
			}
			else if (System.nanoTime() - idleSince > IDLE_CHECK.toNanos()) {
				checkWhileIdle();
				idleSince = System.nanoTime();
			}
			if (this.reconnected) {
				// Cleared only once the check succeeded: a server that just restarted may not answer it yet.
				detectLostRevisions();
				this.reconnected = false;
				// Pull requests do not survive a server restart: pull anew from where the server has us.
				logger.debug("Reconnected: pulling events of '{}' anew", this.settings.durableName());
				return;
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

	/**
	 * A server that crashed may come back without the last messages it had delivered but not yet stored (their
	 * writers were told that the outcome is unknown), and gives their revisions to the next writes. Finds the
	 * processed messages that are certainly gone (newest first: a revision past the end of the log, or one that
	 * now holds another message), forgets having processed them, and lets the initial-state listeners be
	 * brought back in line.
	 */
	private void detectLostRevisions() throws IOException, JetStreamApiException {
		JetStreamManagement management = management();
		String stream = this.settings.streamName();
		long last = management.getStreamInfo(stream).getStreamState().getLastSequence();
		List<Map.Entry<String, Processed>> newestFirst = new ArrayList<>(this.processedRevisions.entrySet());
		newestFirst.sort(Comparator.comparingLong((Map.Entry<String, Processed> entry) -> entry.getValue().revision())
			.reversed());
		long firstLost = 0;
		for (Map.Entry<String, Processed> entry : newestFirst) {
			long revision = entry.getValue().revision();
			if (revision <= last) {
				MessageInfo stored = findMessage(management, stream, revision);
				if (stored == null || (stored.getSubject().equals(entry.getKey())
						&& stored.getTime().toInstant().equals(entry.getValue().writtenAt()))) {
					break;
				}
			}
			firstLost = revision;
			this.processedRevisions.remove(entry.getKey());
		}
		if (firstLost == 0) {
			return;
		}
		long processed = this.lastProcessedRevision;
		logger.warn("The server came back without revisions {} to {} of '{}' as this node had delivered them: writes cut "
				+ "off by a server crash before they were stored (their writers were told the outcome is unknown). "
				+ "Initial-state listeners are brought back in line with the stored state.", firstLost, processed, stream);
		this.lastProcessedRevision = firstLost - 1;
		this.callbacks.resync("the server lost revisions " + firstLost + " to " + processed, processed);
	}

	private static @Nullable MessageInfo findMessage(JetStreamManagement management, String stream, long revision)
			throws IOException, JetStreamApiException {
		try {
			return management.getMessage(stream, revision);
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() == NO_MESSAGE_FOUND) {
				return null;
			}
			throw ex;
		}
	}

	/**
	 * A consumer deleted while nothing is pending, or pull requests lost with a server, show no error: look
	 * for both now and then.
	 */
	private void checkWhileIdle() throws IOException, JetStreamApiException {
		ConsumerInfo info = findConsumer(management());
		if (info == null) {
			throw new IOException("durable consumer '" + this.settings.durableName() + "' is gone");
		}
		if (info.getNumPending() > 0 && info.getNumWaiting() == 0) {
			throw new IOException(info.getNumPending() + " events are waiting for '" + this.settings.durableName()
					+ "' but no pull request reached the server");
		}
	}

	private void handle(Message message) {
		long revision = message.metaData().streamSequence();
		String subject = message.getSubject();
		Processed processed = this.processedRevisions.get(subject);
		if (processed != null && revision <= processed.revision()) {
			logger.debug("Skipping revision {} of '{}': revision {} was processed already", revision, subject,
					processed.revision());
			this.callbacks.duplicate();
			acknowledge(message, false);
			return;
		}
		this.inProcess = message;
		boolean accepted;
		try {
			accepted = this.callbacks.process(message);
		}
		finally {
			this.inProcess = null;
		}
		this.processedRevisions.put(subject, new Processed(revision, message.metaData().timestamp().toInstant()));
		this.lastProcessedRevision = Math.max(this.lastProcessedRevision, revision);
		acknowledge(message, !accepted);
	}

	private void reportProgress() {
		Message current = this.inProcess;
		if (current != null) {
			try {
				current.inProgress();
			}
			catch (IllegalStateException ex) {
				logger.debug("Could not report progress: {}", ex.getMessage());
			}
		}
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

	private ConsumerConfiguration configuration(DeliverPolicy deliverPolicy, long startSequence) {
		NatsCoordinatorSettings.Consumer consumer = this.settings.consumer();
		ConsumerConfiguration.Builder builder = ConsumerConfiguration.builder()
			.durable(this.settings.durableName())
			.description("Coordinator events of node " + this.settings.nodeId())
			.deliverPolicy(deliverPolicy)
			.ackPolicy(AckPolicy.Explicit)
			.ackWait(consumer.ackWait())
			.maxAckPending(consumer.maxAckPending())
			.inactiveThreshold(consumer.inactiveThreshold());
		if (deliverPolicy == DeliverPolicy.ByStartSequence) {
			builder.startSequence(startSequence);
		}
		return builder.build();
	}

	private JetStreamManagement management() throws IOException {
		return this.connection.jetStreamManagement(this.jetStreamOptions);
	}

	private @Nullable ConsumerInfo findConsumer(JetStreamManagement management)
			throws IOException, JetStreamApiException {
		try {
			return management.getConsumerInfo(this.settings.streamName(), this.settings.durableName());
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() == CONSUMER_NOT_FOUND) {
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
	 * What the reader processed of a subject last.
	 *
	 * @param revision its revision
	 * @param writtenAt when the server stored it, which tells it apart from a later message given the same
	 * revision after a crash
	 */
	private record Processed(long revision, Instant writtenAt) {
	}

	/**
	 * What the reader does with the log.
	 */
	interface Callbacks {

		/**
		 * Called once, on the reader thread, before the first message is read: delivers the initial state.
		 */
		void synchronize();

		/**
		 * Processes a message.
		 * @param message the message
		 * @return {@code true} to acknowledge it, {@code false} to terminate it (it can never be processed)
		 */
		boolean process(Message message);

		/**
		 * Told of a message skipped because it was processed already.
		 */
		void duplicate();

		/**
		 * Reads the stored state after the place in the log was lost.
		 * @param reason why
		 * @param lastRevision the last revision processed
		 * @return the revision the stored state reflects; reading continues after it
		 */
		long resync(String reason, long lastRevision);

	}

}
