package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
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
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.NatsJetStreamMetaData;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's durable pull consumer of the bucket's stream and the thread that reads it.
 *
 * <p>The consumer is created once, with deliver policy {@code New}, and from then on resumed: on reconnect
 * and on restart with the same node id the server continues after the last acknowledged event. Messages are
 * handed to the {@link Callbacks} on this consumer's own thread strictly in log order, each once: a message
 * at or below the last processed revision is acknowledged without being processed again, and when a
 * delivery went missing (the consumer sequence jumped, as after a connection that died with messages on
 * their way) the consumer is positioned again right after the last processed revision, rather than letting
 * the missing messages come back later out of order. A message is acknowledged only after the callbacks
 * returned, cumulatively (ack policy all) once no further message is buffered or every {@value #ACK_EVERY}
 * messages; while one is processed, the server is told every third of the ack wait that it is in progress.
 *
 * <p>When the consumer is gone (deleted after the inactive threshold, or by an operator), the place in the
 * log is lost: the {@link Callbacks#resync resync} callback reads the stored state, and the consumer is
 * created again after the revision that state reflects.
 */
final class EventLogConsumer {

	private static final Logger logger = LoggerFactory.getLogger(EventLogConsumer.class);

	private static final int CONSUMER_NOT_FOUND = 10014;

	private static final int NO_MESSAGE_FOUND = 10037;

	/** Messages processed at most before they are acknowledged, while more are buffered. */
	private static final int ACK_EVERY = 64;

	/** Processed messages remembered for the check after a server crash. */
	private static final int RECENT = 1024;

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

	private final NodeRecords nodeRecords;

	/** Last revision a returning node had processed when its consumer had expired meanwhile, else -1. */
	private long awayAfter = -1;

	/** The newest messages processed, to check after a crash of the server that they are still in the log. */
	private final Deque<Processed> recent = new ArrayDeque<>();

	/** Last revision processed; every message up to it has been processed or was not in the log. */
	private volatile long lastProcessedRevision;

	/** Consumer sequence of the last delivery received, 0 when unknown. */
	private long lastConsumerSequence;

	/** The last message processed and not yet acknowledged, whose acknowledgement covers all before it. */
	private @Nullable Message owedAck;

	private int owedCount;

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
		this.nodeRecords = new NodeRecords(connection, settings,
				KeyValueOptions.builder().jetStreamOptions(jetStreamOptions).build());
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
			this.lastProcessedRevision = created.getDelivered().getStreamSequence();
			this.lastConsumerSequence = 0;
			this.awayAfter = this.nodeRecords.lastRecordedRevision();
			if (this.awayAfter >= 0) {
				logger.warn("Node '{}' ran before, up to revision {}, and was away longer than its consumer's inactive "
						+ "threshold ({}): the changes in between were not kept for it. Created durable consumer '{}' "
						+ "from revision {} on; initial-state listeners receive the stored state.", this.settings.nodeId(),
						this.awayAfter, this.settings.consumer().inactiveThreshold(), durable, this.lastProcessedRevision + 1);
			}
			else {
				logger.info("Created durable consumer '{}' of stream '{}': node '{}' receives changes from revision {} on",
						durable, stream, this.settings.nodeId(), this.lastProcessedRevision + 1);
			}
			this.nodeRecords.record(this.lastProcessedRevision);
			return;
		}
		ConsumerConfiguration current = existing.getConsumerConfiguration();
		if (current.getAckPolicy() == AckPolicy.None || current.getFilterSubject() != null
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
		this.lastProcessedRevision = existing.getAckFloor().getStreamSequence();
		this.lastConsumerSequence = existing.getDelivered().getConsumerSequence();
		logger.info("Resuming durable consumer '{}' of stream '{}' after revision {} ({} changes waiting)", durable,
				stream, existing.getAckFloor().getStreamSequence(), existing.getNumPending() + existing.getNumAckPending());
		if (existing.getDelivered().getStreamSequence() > existing.getAckFloor().getStreamSequence()) {
			// Delivered before the node stopped but never acknowledged: the server would send them again only
			// after the ack wait, behind newer changes. Read on from the last acknowledged one instead.
			reposition("changes up to revision " + existing.getDelivered().getStreamSequence()
					+ " were delivered but not acknowledged before the node stopped");
		}
		else if (current.getAckPolicy() != AckPolicy.All) {
			reposition("the consumer used ack policy " + current.getAckPolicy() + "; it now acknowledges cumulatively");
		}
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
			this.nodeRecords.record(this.lastProcessedRevision);
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

	/**
	 * Returns, once, whether this node returned after its consumer had expired.
	 * @return the last revision it had processed before, or -1 when it did not return after an expiry
	 */
	long takeAwayAfter() {
		long after = this.awayAfter;
		this.awayAfter = -1;
		return after;
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
				catch (DeliveryGap gap) {
					reposition(gap.getMessage());
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
			management.addOrUpdateConsumer(this.settings.streamName(),
					configuration(DeliverPolicy.ByStartSequence, revision + 1));
			this.lastProcessedRevision = revision;
			this.lastConsumerSequence = 0;
			this.recent.clear();
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

	private void read(IterableConsumer messages) throws JetStreamStatusCheckedException, InterruptedException,
			IOException, JetStreamApiException, DeliveryGap {
		long idleSince = System.nanoTime();
		while (this.running) {
			// While an acknowledgement is owed, look only briefly for more: owe it no longer than the buffer lasts.
			Message message = messages.nextMessage((this.owedAck != null) ? Duration.ofMillis(1) : POLL);
			if (message != null) {
				handle(message);
				idleSince = System.nanoTime();
				continue;
			}
			acknowledgeOwed();
			if (System.nanoTime() - idleSince > IDLE_CHECK.toNanos()) {
				checkWhileIdle();
				idleSince = System.nanoTime();
			}
			if (this.reconnected) {
				// Cleared only once the check succeeded: a server that just restarted may not answer it yet.
				boolean lost = detectLostRevisions();
				this.reconnected = false;
				if (lost) {
					throw new DeliveryGap("the server lost revisions this node had processed");
				}
				// Pull requests do not survive a server restart: pull anew from where the server has us.
				logger.debug("Reconnected: pulling events of '{}' anew", this.settings.durableName());
				return;
			}
		}
		messages.stop();
		long deadline = System.nanoTime() + this.settings.consumer().shutdownTimeout().toNanos();
		try {
			while (System.nanoTime() < deadline) {
				Message message = messages.nextMessage(DRAIN_POLL);
				if (message == null) {
					return;
				}
				handle(message);
			}
		}
		finally {
			acknowledgeOwed();
		}
	}

	/**
	 * A server that crashed may come back without the last messages it had delivered but not yet stored (their
	 * writers were told that the outcome is unknown), and gives their revisions to the next writes. Checks the
	 * newest processed revisions, newest first, for ones that now hold another message, or are gone with no
	 * later revision of their key in the log.
	 * @return whether processed revisions were lost
	 */
	private boolean detectLostRevisions() throws IOException, JetStreamApiException {
		JetStreamManagement management = management();
		String stream = this.settings.streamName();
		long last = management.getStreamInfo(stream).getStreamState().getLastSequence();
		long firstLost = 0;
		for (Iterator<Processed> newestFirst = this.recent.descendingIterator(); newestFirst.hasNext();) {
			Processed processed = newestFirst.next();
			if (processed.revision() > last) {
				// Not proof: a new cluster leader may not have applied it yet. A write that reuses the revision
				// will prove it (see handle).
				break;
			}
			MessageInfo stored = findMessage(management, stream, processed.revision());
			if (stored != null && processed.matches(stored.getSubject(), stored.getTime().toInstant())) {
				break;
			}
			if (stored == null) {
				// Gone: superseded by a later revision of its key, or lost with the crash if there is none.
				MessageInfo latest = findLastMessage(management, stream, processed.subject());
				if (latest != null && latest.getSeq() > processed.revision()) {
					break;
				}
			}
			firstLost = processed.revision();
		}
		if (firstLost == 0) {
			return false;
		}
		forgetFrom(firstLost);
		return true;
	}

	private static @Nullable MessageInfo findLastMessage(JetStreamManagement management, String stream, String subject)
			throws IOException, JetStreamApiException {
		try {
			return management.getLastMessage(stream, subject);
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() == NO_MESSAGE_FOUND) {
				return null;
			}
			throw ex;
		}
	}

	/**
	 * The server gave a revision this node processed to another message: the processed one, and any after
	 * it, were lost in a crash. Forget them, and let the initial-state listeners be brought back in line.
	 */
	private void forgetFrom(long firstLost) {
		long processed = this.lastProcessedRevision;
		logger.warn("The server came back without revisions {} to {} of '{}' as this node had processed them: writes cut "
				+ "off by a server crash before they were stored (their writers were told the outcome is unknown). "
				+ "Initial-state listeners are brought back in line with the stored state.", firstLost, processed,
				this.settings.streamName());
		this.recent.removeIf((entry) -> entry.revision() >= firstLost);
		this.lastProcessedRevision = firstLost - 1;
		this.callbacks.resync("the server lost revisions " + firstLost + " to " + processed, processed);
	}

	private @Nullable Processed recentlyProcessed(long revision) {
		for (Iterator<Processed> newestFirst = this.recent.descendingIterator(); newestFirst.hasNext();) {
			Processed processed = newestFirst.next();
			if (processed.revision() == revision) {
				return processed;
			}
			if (processed.revision() < revision) {
				return null;
			}
		}
		return null;
	}

	/**
	 * Positions the consumer right after the last processed revision, so that the log is read on in order.
	 */
	private void reposition(String why) {
		long start = this.lastProcessedRevision + 1;
		try {
			JetStreamManagement management = management();
			try {
				management.deleteConsumer(this.settings.streamName(), this.settings.durableName());
			}
			catch (JetStreamApiException ex) {
				if (ex.getApiErrorCode() != CONSUMER_NOT_FOUND) {
					throw ex;
				}
			}
			management.addOrUpdateConsumer(this.settings.streamName(), configuration(DeliverPolicy.ByStartSequence, start));
			this.lastConsumerSequence = 0;
			logger.info("Reading the log of '{}' again from revision {}: {}", this.settings.durableName(), start, why);
		}
		catch (IOException | JetStreamApiException ex) {
			logger.warn("Could not position durable consumer '{}' at revision {} ({}); trying again in {}: {}",
					this.settings.durableName(), start, why, RETRY_DELAY, ex.getMessage());
			sleep(RETRY_DELAY);
		}
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

	private void handle(Message message) throws DeliveryGap {
		NatsJetStreamMetaData meta = message.metaData();
		long revision = meta.streamSequence();
		long consumerSequence = meta.consumerSequence();
		if (this.lastConsumerSequence > 0 && consumerSequence > this.lastConsumerSequence + 1) {
			// Deliveries in between went missing; they would come back after the ack wait, out of order.
			throw new DeliveryGap("deliveries " + (this.lastConsumerSequence + 1) + " to " + (consumerSequence - 1)
					+ " of the consumer did not arrive");
		}
		this.lastConsumerSequence = consumerSequence;
		if (revision <= this.lastProcessedRevision) {
			Processed processed = recentlyProcessed(revision);
			Instant writtenAt = meta.timestamp().toInstant();
			if (processed == null || processed.matches(message.getSubject(), writtenAt)) {
				logger.debug("Skipping revision {}: the log was processed up to revision {}", revision,
						this.lastProcessedRevision);
				this.callbacks.duplicate();
				owe(message);
				return;
			}
			// The server gave this revision to a new message: what this node processed under it was lost.
			forgetFrom(revision);
		}
		this.inProcess = message;
		boolean accepted;
		try {
			accepted = this.callbacks.process(message);
		}
		finally {
			this.inProcess = null;
		}
		this.lastProcessedRevision = revision;
		this.recent.addLast(new Processed(revision, message.getSubject(), meta.timestamp().toInstant()));
		if (this.recent.size() > RECENT) {
			this.recent.pollFirst();
		}
		if (accepted) {
			owe(message);
		}
		else {
			terminate(message);
		}
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

	/**
	 * The consumer acknowledges cumulatively (ack policy all): acknowledging a message acknowledges every one
	 * before it. So acknowledgements are owed while more messages are buffered, and sent when the buffer is
	 * empty, every {@link #ACK_EVERY} messages, and before the reader stops.
	 */
	private void owe(Message message) {
		this.owedAck = message;
		if (++this.owedCount >= ACK_EVERY) {
			acknowledgeOwed();
		}
	}

	private void acknowledgeOwed() {
		Message owed = this.owedAck;
		if (owed == null) {
			return;
		}
		this.owedAck = null;
		this.owedCount = 0;
		try {
			owed.ack();
		}
		catch (IllegalStateException ex) {
			logger.debug("Could not acknowledge revision {}: {}; the server delivers it again and it is skipped",
					owed.metaData().streamSequence(), ex.getMessage());
		}
	}

	private void terminate(Message message) {
		acknowledgeOwed();
		try {
			message.term();
		}
		catch (IllegalStateException ex) {
			logger.debug("Could not terminate revision {}: {}; the server delivers it again",
					message.metaData().streamSequence(), ex.getMessage());
		}
	}

	private ConsumerConfiguration configuration(DeliverPolicy deliverPolicy, long startSequence) {
		NatsCoordinatorSettings.Consumer consumer = this.settings.consumer();
		ConsumerConfiguration.Builder builder = ConsumerConfiguration.builder()
			.durable(this.settings.durableName())
			.description("Coordinator events of node " + this.settings.nodeId())
			.deliverPolicy(deliverPolicy)
			.ackPolicy(AckPolicy.All)
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
	 * A message the reader processed.
	 *
	 * @param revision its revision
	 * @param subject its subject
	 * @param writtenAt when the server stored it, which tells it apart from a later message given the same
	 * revision after a crash
	 */
	private record Processed(long revision, String subject, Instant writtenAt) {

		boolean matches(String otherSubject, Instant otherWrittenAt) {
			return this.subject.equals(otherSubject) && this.writtenAt.equals(otherWrittenAt);
		}

	}

	/**
	 * Messages of the log went missing on their way to this node.
	 */
	private static final class DeliveryGap extends Exception {

		DeliveryGap(String message) {
			super(message, null, false, false);
		}

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
