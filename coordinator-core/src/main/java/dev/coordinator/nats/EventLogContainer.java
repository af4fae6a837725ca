package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorConsumerRecreatedEvent;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorException;
import dev.coordinator.OriginVerification;
import dev.coordinator.listener.EventDispatcher;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.SmartLifecycle;

/**
 * The listener container of a NATS coordinator: it owns this node's durable consumer of the log and the thread
 * that reads it, and hands each change to the {@link EventDispatcher} strictly in log order, acknowledging it
 * only after the listeners returned.
 *
 * <p>{@link #afterPropertiesSet()} creates this node's consumer (deliver policy {@code New}) or resumes the one
 * a previous run left, so that nothing written from then on is missed; {@link #start()}, late in the context's
 * start-up, starts reading, and {@link #stop()} stops pulling, delivers what was received, acknowledges it and
 * ends. Starting again after a stop that timed out waits for the previous reader to finish: there is never more
 * than one.
 *
 * <p>Its collaborators each own one concern: {@link ConsumerProvisioner} (the consumer), {@link PullReader} (a
 * live pull), {@link LogPosition} (where the node is, gaps and revisions a crashed server lost),
 * {@link AckBatcher} (cumulative acknowledgements), {@link StateSynchronizer} (initial state and resync) and
 * {@link DeadLetterRecoverer} (messages that are not changes). Nothing a listener throws reaches this class;
 * anything else that goes wrong is logged with what to do, counted, and the reader recovers by itself: it
 * positions its consumer again after the last processed revision, re-creates it when it is gone, or
 * resynchronises when the place in the log is lost for good.
 */
public class EventLogContainer implements SmartLifecycle, InitializingBean, DisposableBean {

	/** Phase of the container: started after, and stopped before, the other lifecycle beans (web servers). */
	public static final int DEFAULT_PHASE = Integer.MAX_VALUE - 100;

	private static final Logger logger = LoggerFactory.getLogger(EventLogContainer.class);

	private static final Duration POLL = Duration.ofMillis(250);

	private static final Duration DRAIN_POLL = Duration.ofMillis(100);

	private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

	/**
	 * How long the reader may receive nothing before it checks with the server that nothing is waiting; a stall
	 * is concluded when two checks in a row find it.
	 */
	static final Duration IDLE_CHECK = Duration.ofSeconds(3);

	private final NatsCoordinator coordinator;

	private final NatsCoordinatorSettings settings;

	private final Connection connection;

	private final JetStreamOptions jetStreamOptions;

	private final EventDispatcher dispatcher;

	private final DeadLetterRecoverer deadLetters;

	private final ConsumerProvisioner.ManagementAccess management;

	private final ConsumerProvisioner provisioner;

	private final NodeRecords nodeRecords;

	private final StateSynchronizer synchronizer;

	private final LogPosition position = new LogPosition();

	private final AckBatcher acks = new AckBatcher();

	private final Counters counters = new Counters();

	private final String subjectPrefix;

	private final ReentrantLock lifecycleLock = new ReentrantLock();

	private final ConnectionListener reconnects = (connection, event) -> {
		if (event == ConnectionListener.Events.RECONNECTED || event == ConnectionListener.Events.RESUBSCRIBED) {
			this.reconnected = true;
		}
	};

	private int phase = DEFAULT_PHASE;

	private ThreadFactory threadFactory = Thread::new;

	private boolean ephemeralNode;

	private @Nullable OriginVerifier originVerifier;

	/** Claimed origins whose rejected changes were logged at WARN: once each, the rest at DEBUG. */
	private final Set<String> rejectedOrigins = ConcurrentHashMap.newKeySet();

	private @Nullable Reader reader;

	private volatile boolean reconnected;

	private volatile @Nullable Message inProcess;

	/** Messages of the log after the last one handled that this node has not received, as the server said. */
	private volatile long pending;

	// What the reader thread still has to do before it reads on; touched by the reader thread only.

	private volatile boolean synced;

	private long awayAfter = -1;

	private boolean consumerLost;

	private @Nullable String resyncReason;

	private long resyncLastRevision;

	/** Why the next repositioning recreates the consumer, when not for the usual reasons. */
	private @Nullable String repositionReason;

	/** The server lost revisions the local views may hold: they are filled anew. */
	private boolean viewsHoldLostRevisions;

	/**
	 * Creates a container.
	 * @param coordinator the coordinator whose log it reads (and the source of its events)
	 * @param dispatcher hands events to the listeners
	 * @param deadLetters records messages that are not changes
	 */
	public EventLogContainer(NatsCoordinator coordinator, EventDispatcher dispatcher, DeadLetterRecoverer deadLetters) {
		this(coordinator, dispatcher, deadLetters, () -> coordinator.getConnection()
			.jetStreamManagement(NatsCoordinator.jetStreamOptions(coordinator.getSettings().read().timeout())));
	}

	EventLogContainer(NatsCoordinator coordinator, EventDispatcher dispatcher, DeadLetterRecoverer deadLetters,
			ConsumerProvisioner.ManagementAccess management) {
		this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
		this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
		this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
		this.settings = coordinator.getSettings();
		this.connection = coordinator.getConnection();
		this.jetStreamOptions = NatsCoordinator.jetStreamOptions(this.settings.read().timeout());
		this.management = management;
		this.provisioner = new ConsumerProvisioner(this.settings, management);
		this.nodeRecords = new NodeRecords(this.connection, this.settings,
				KeyValueOptions.builder().jetStreamOptions(this.jetStreamOptions).build(), coordinator::keyValue);
		this.synchronizer = new StateSynchronizer(coordinator, dispatcher, this.counters);
		this.subjectPrefix = "$KV." + this.settings.bucketName() + ".";
	}

	/**
	 * Creates this node's durable consumer, or resumes the one a previous run of the node left.
	 * @throws CoordinatorException when the server cannot be used, or the consumer is not a coordinator's
	 */
	@Override
	public void afterPropertiesSet() {
		String durable = this.settings.durableName();
		String stream = this.settings.streamName();
		try {
			ConsumerInfo existing = this.provisioner.find();
			if (existing == null) {
				createConsumer();
				this.nodeRecords.record(this.position.lastProcessedRevision());
				return;
			}
			this.provisioner.resume(existing);
			long acknowledged = existing.getAckFloor().getStreamSequence();
			this.position.startAt(acknowledged, existing.getDelivered().getConsumerSequence());
			logger.info("Resuming durable consumer '{}' of stream '{}' after revision {} ({} changes waiting)", durable,
					stream, acknowledged, existing.getNumPending() + existing.getNumAckPending());
			if (existing.getDelivered().getStreamSequence() > acknowledged) {
				// Delivered before the node stopped but never acknowledged: the server would send them again only
				// after the ack wait, behind newer changes. Read on from the last acknowledged one instead.
				this.position.repositionStarted();
			}
			else if (existing.getConsumerConfiguration().getAckPolicy() != AckPolicy.All) {
				this.position.repositionStarted();
			}
		}
		catch (IOException | JetStreamApiException ex) {
			throw new CoordinatorException("Could not create or resume durable consumer '" + durable + "' of stream '"
					+ stream + "': " + ex.getMessage() + ". Check that the NATS server runs with JetStream enabled.", ex);
		}
	}

	/**
	 * Creates this node's consumer: from the changes written from now on for a new node; after the last revision
	 * it recorded for a node that returns after its consumer expired, since the log still holds the latest
	 * revision of every key. Only when revisions after it are gone are the initial-state listeners resynchronised.
	 */
	private void createConsumer() throws IOException, JetStreamApiException {
		String durable = this.settings.durableName();
		long recorded = this.nodeRecords.lastRecordedRevision();
		if (recorded >= 0 && recorded <= this.provisioner.lastRevision()) {
			ConsumerInfo created = this.provisioner.recreateFrom(recorded + 1);
			this.position.startAt(recorded, 0);
			if (this.provisioner.revisionsGoneAfter(recorded, created)) {
				this.awayAfter = recorded;
				logger.warn("Node '{}' ran before, up to revision {}, and was away longer than its consumer's inactive "
						+ "threshold ({}); some revisions after it are no longer in the log. Created durable consumer '{}' "
						+ "from revision {} on: listeners receive the latest revision of every key changed since, and "
						+ "initial-state listeners the stored state.", this.settings.nodeId(), recorded,
						this.settings.consumer().inactiveThreshold(), durable, recorded + 1);
			}
			else {
				logger.info("Node '{}' returns after its consumer expired; the log still holds every revision after "
						+ "revision {}, where it left off. Created durable consumer '{}' from revision {} on.",
						this.settings.nodeId(), recorded, durable, recorded + 1);
			}
			return;
		}
		ConsumerInfo created = this.provisioner.createNew();
		this.position.startAt(created.getDelivered().getStreamSequence(), 0);
		if (recorded >= 0) {
			// The log is older than the node's record (the bucket was created anew): nothing to resume.
			this.awayAfter = recorded;
			logger.warn("Node '{}' ran before, up to revision {}, which the log does not reach (it was created anew). "
					+ "Created durable consumer '{}' from revision {} on; initial-state listeners receive the stored "
					+ "state.", this.settings.nodeId(), recorded, durable, this.position.lastProcessedRevision() + 1);
		}
		else {
			logger.info("Created durable consumer '{}' of stream '{}': node '{}' receives changes from revision {} on",
					durable, this.settings.streamName(), this.settings.nodeId(), this.position.lastProcessedRevision() + 1);
		}
	}

	/**
	 * Starts reading on a thread of its own. After a {@link #stop()} that timed out, the new reader first waits
	 * for the previous one to end.
	 */
	@Override
	public void start() {
		this.lifecycleLock.lock();
		try {
			if (this.reader != null && this.reader.active) {
				return;
			}
			Reader previous = this.reader;
			Reader next = new Reader((previous != null) ? previous.thread : null);
			this.reader = next;
			next.thread.start();
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	/**
	 * Stops pulling, lets the events already received be delivered and acknowledged, and waits for the reader
	 * to end, at most {@code coordinator.consumer.shutdown-timeout} and a little more.
	 */
	@Override
	public void stop() {
		Reader stopping = signalStop();
		if (stopping == null) {
			return;
		}
		Duration timeout = this.settings.consumer().shutdownTimeout().plus(POLL).plus(DRAIN_POLL);
		try {
			stopping.thread.join(timeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (stopping.thread.isAlive()) {
			logger.warn("Event reader of '{}' did not stop within {}; a listener is still running. Unacknowledged "
					+ "events are delivered again when the node restarts.", this.settings.durableName(), timeout);
		}
	}

	/**
	 * Stops as {@link #stop()} does, without waiting: the callback runs once the reader ended.
	 * @param callback told when the container stopped
	 */
	@Override
	public void stop(Runnable callback) {
		Reader stopping = signalStop();
		if (stopping == null || !stopping.whenEnded(callback)) {
			callback.run();
		}
	}

	private @Nullable Reader signalStop() {
		this.lifecycleLock.lock();
		try {
			Reader current = this.reader;
			if (current == null || !current.active) {
				return null;
			}
			current.active = false;
			return current;
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	@Override
	public boolean isRunning() {
		Reader current = this.reader;
		return current != null && current.active;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/**
	 * Sets the lifecycle phase.
	 * @param phase the phase
	 */
	public void setPhase(int phase) {
		this.phase = phase;
	}

	/**
	 * Sets what creates the reader thread, on which listeners run: platform threads by default, virtual threads
	 * when the application asks for them on Java 21 or later. The container names the thread and makes it a daemon.
	 * @param threadFactory creates the reader thread
	 */
	public void setThreadFactory(ThreadFactory threadFactory) {
		this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
	}

	/**
	 * Sets whether this node's id was generated for this run (no {@code coordinator.node-id}): no later run can
	 * resume its consumer, so the consumer and the node's record are removed when the container is destroyed.
	 * @param ephemeralNode whether the node id was generated
	 */
	public void setEphemeralNode(boolean ephemeralNode) {
		this.ephemeralNode = ephemeralNode;
		this.nodeRecords.setEphemeral(ephemeralNode);
	}

	/**
	 * Sets the verifier of the origins of changes; without one (the default) origins are not checked and events
	 * report {@link OriginVerification#NOT_CHECKED}.
	 * @param originVerifier the verifier, or {@code null}
	 */
	public void setOriginVerifier(@Nullable OriginVerifier originVerifier) {
		this.originVerifier = originVerifier;
	}

	/**
	 * Removes the consumer and the record of a node whose id was generated for this run; they would otherwise
	 * stay behind at every restart.
	 */
	@Override
	public void destroy() {
		stop();
		if (!this.ephemeralNode) {
			return;
		}
		try {
			this.management.get().deleteConsumer(this.settings.streamName(), this.settings.durableName());
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not delete durable consumer '{}' of node '{}', whose id was generated: {}. The server "
					+ "deletes it after {} without contact.", this.settings.durableName(), this.settings.nodeId(),
					ex.getMessage(), this.settings.consumer().inactiveThreshold());
		}
		this.nodeRecords.forget();
	}

	/**
	 * Returns the dispatcher that hands this container's events to the listeners.
	 * @return the dispatcher
	 */
	public EventDispatcher getDispatcher() {
		return this.dispatcher;
	}

	/**
	 * Returns what this node did with the messages of the event log since it started.
	 * @return the statistics
	 */
	public DeliveryStatistics statistics() {
		return new DeliveryStatistics(this.counters.received.sum(), this.counters.delivered.sum(),
				this.counters.duplicates.sum(), this.counters.silent.sum(), this.counters.malformed.sum(),
				this.deadLetters.recovered(), this.counters.replayed.sum(), this.counters.resyncs.sum(),
				this.counters.unexpected.sum() + this.dispatcher.unexpectedFailures(), this.dispatcher.failedCalls(),
				this.counters.rejected.sum());
	}

	/**
	 * Returns whether the initial state was delivered (after the first start, the reader reads live changes).
	 * @return whether this node is in sync with the stored state
	 */
	public boolean isSynced() {
		return this.synced;
	}

	/**
	 * Returns how many messages of the log followed the last one this node handled when the server delivered
	 * it: this node's lag, as of its last delivery (0 when it is caught up).
	 * @return the messages pending
	 */
	public long pending() {
		return this.pending;
	}

	/**
	 * Returns the last revision this node processed.
	 * @return the revision, 0 before the first
	 */
	public long lastProcessedRevision() {
		return this.position.lastProcessedRevision();
	}

	/**
	 * The reader loop: recover what needs recovering, read, and start over after anything unexpected.
	 */
	private void run(Reader self) {
		try {
			self.awaitPrevious();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			self.ended();
			return;
		}
		this.connection.addConnectionListener(this.reconnects);
		ScheduledExecutorService progress = startProgressReports();
		try {
			while (self.active) {
				try {
					recoverIfNeeded();
					read(self);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				catch (IOException | JetStreamApiException ex) {
					// The server did not answer in time, refused a request or ended a pull with an error status (the
					// consumer was deleted): it is restarting, or overloaded.
					if (self.active) {
						logger.warn("Event reader of '{}' could not go on: {}; it starts over in {} from revision {}",
								this.settings.durableName(), ex.getMessage(), RETRY_DELAY,
								this.position.lastProcessedRevision() + 1);
						pause(self);
					}
				}
				catch (Throwable ex) {
					this.counters.unexpected.increment();
					if (self.active) {
						logger.error("Event reader of '{}' failed: {}; it starts over in {} from revision {}. If this "
								+ "repeats, check the NATS server and its JetStream state.", this.settings.durableName(),
								ex.toString(), RETRY_DELAY, this.position.lastProcessedRevision() + 1, ex);
						pause(self);
					}
				}
			}
		}
		finally {
			progress.shutdownNow();
			this.connection.removeConnectionListener(this.reconnects);
			this.nodeRecords.record(this.position.lastProcessedRevision());
			self.ended();
		}
	}

	/**
	 * Does what an earlier failure or finding left to do, in order: deliver the initial state; when the stream was
	 * created anew, plan to read it from its start; re-create a consumer that is gone; resynchronise; refill views;
	 * position the consumer after the last processed revision.
	 */
	private void recoverIfNeeded() throws IOException, JetStreamApiException {
		if (!this.synced) {
			this.synchronizer.synchronize(this.awayAfter);
			this.awayAfter = -1;
			this.synced = true;
			this.nodeRecords.sweep();
		}
		if ((this.consumerLost || this.resyncReason != null || this.position.isRepositionPending())
				&& isLogCreatedAnew()) {
			readNewLogFromStart();
		}
		if (this.consumerLost) {
			long last = this.position.lastProcessedRevision();
			ConsumerInfo created = this.provisioner.recreateFrom(last + 1);
			this.position.repositioned();
			this.acks.discard();
			if (this.provisioner.revisionsGoneAfter(last, created)) {
				logger.warn("Durable consumer '{}' was gone (deleted after {} without contact, or by an operator) and "
						+ "some revisions after revision {}, where this node was, are no longer in the log: it reads on "
						+ "from there (the latest revision of every key changed since) and resynchronises its "
						+ "initial-state listeners", this.settings.durableName(),
						this.settings.consumer().inactiveThreshold(), last);
				this.synchronizer.resync("durable consumer '" + this.settings.durableName() + "' was gone", last);
			}
			else {
				logger.warn("Durable consumer '{}' was gone (deleted after {} without contact, or by an operator); it is "
						+ "created again after revision {}, where this node was", this.settings.durableName(),
						this.settings.consumer().inactiveThreshold(), last);
			}
			this.consumerLost = false;
			consumerRecreated(last + 1, "it was gone (deleted after " + this.settings.consumer().inactiveThreshold()
					+ " without contact, or by an operator)");
		}
		String reason = this.resyncReason;
		if (reason != null) {
			this.synchronizer.resync(reason, this.resyncLastRevision);
			this.resyncReason = null;
		}
		if (this.viewsHoldLostRevisions) {
			this.coordinator.refillViews();
			this.viewsHoldLostRevisions = false;
		}
		if (this.position.isRepositionPending()) {
			long start = this.position.lastProcessedRevision() + 1;
			this.provisioner.recreateFrom(start);
			this.position.repositioned();
			this.acks.discard();
			logger.info("Reading the log of '{}' from revision {} on", this.settings.durableName(), start);
			String why = this.repositionReason;
			this.repositionReason = null;
			consumerRecreated(start, (why != null) ? why : "to read again after the last revision this node "
					+ "processed (deliveries went missing, or it resumed with deliveries it had not acknowledged)");
		}
	}

	/**
	 * Returns whether the bucket was deleted and created again since the last replay. Its stream's creation time
	 * changed, but that alone is no proof: a 2.9 server reports the time of its last restart as a file-backed
	 * stream's once the stream's configuration was updated. A stream created anew holds no message older than its
	 * creation, and none this node processed.
	 */
	private boolean isLogCreatedAnew() throws IOException, JetStreamApiException {
		StreamInfo log = this.provisioner.log();
		if (!this.synchronizer.isCreatedAnew(log)) {
			return false;
		}
		StreamState state = log.getStreamState();
		if (state.getMsgCount() > 0 && state.getFirstTime().isBefore(log.getCreateTime())) {
			return false;
		}
		return !this.position.holdsProcessed(state.getLastSequence(), this.coordinator.getLeaderReads());
	}

	/**
	 * Plans to read a stream created anew from its first revision, since none of its revisions is one this node
	 * processed, whatever an earlier finding planned (reading after a revision of the old stream, or after the
	 * ones found lost in it): initial-state listeners and views resync with it, then the consumer is created
	 * again from there.
	 */
	private void readNewLogFromStart() {
		long last = (this.resyncReason != null) ? this.resyncLastRevision : this.position.lastProcessedRevision();
		logger.warn("Stream '{}' was created anew (its bucket was deleted and created again) while this node was at "
				+ "revision {}: durable consumer '{}' is created again on the new stream, which this node reads from its "
				+ "first revision", this.settings.streamName(), last, this.settings.durableName());
		this.position.forgetFrom(1);
		this.position.repositionStarted();
		this.repositionReason = "its stream was created anew";
		this.consumerLost = false;
		this.resyncLastRevision = last;
		this.resyncReason = "stream '" + this.settings.streamName() + "' was created anew";
	}

	private void consumerRecreated(long fromRevision, String reason) {
		this.dispatcher.publish(new CoordinatorConsumerRecreatedEvent(this.coordinator, this.settings.durableName(),
				fromRevision, reason));
	}

	private void read(Reader self) throws InterruptedException, IOException, JetStreamApiException {
		try (PullReader pulls = new PullReader(this.connection, this.jetStreamOptions, this.settings.streamName(),
				this.settings.durableName(), this.settings.consumer().batchSize())) {
			long idleSince = System.nanoTime();
			// What the last idle check found wrong, while nothing arrived since: a second finding confirms it.
			@Nullable String suspectedStall = null;
			while (self.active) {
				// While an acknowledgement is owed, look only briefly for more: owe it no longer than the buffer lasts.
				Message message = pulls.next(this.acks.isOwing() ? Duration.ofMillis(1) : POLL);
				if (message != null) {
					if (!handle(message)) {
						this.acks.flush();
						return;
					}
					idleSince = System.nanoTime();
					suspectedStall = null;
					continue;
				}
				this.acks.flush();
				if (this.reconnected) {
					// Cleared only once the check succeeded: a server that just restarted may not answer it yet.
					long firstLost = this.position.findLost(this.provisioner.lastRevision(),
							this.coordinator.getLeaderReads());
					this.reconnected = false;
					if (firstLost > 0) {
						lost(firstLost);
						return;
					}
					pulls.pullAgain();
				}
				if (System.nanoTime() - idleSince > IDLE_CHECK.toNanos()) {
					ConsumerInfo info = this.provisioner.find();
					if (info == null) {
						// Deleted while nothing was pending, which shows no error: create it again first.
						if (!this.position.isRepositionPending()) {
							this.consumerLost = true;
						}
						return;
					}
					String stall = findStall(info);
					if (stall != null && suspectedStall != null) {
						logger.warn("{}, for {}. Reading again after revision {}.", stall, IDLE_CHECK.multipliedBy(2),
								this.position.lastProcessedRevision());
						this.position.repositionStarted();
						return;
					}
					if (stall != null) {
						// A change written just before the check may be on its way: it must still not arrive.
						logger.debug("{}; looking again after {} more without deliveries", stall, IDLE_CHECK);
					}
					suspectedStall = stall;
					idleSince = System.nanoTime();
				}
			}
			drain(pulls);
		}
	}

	/**
	 * Delivers what was received before the reader was told to stop, for at most the shutdown timeout.
	 */
	private void drain(PullReader pulls) throws InterruptedException {
		long deadline = System.nanoTime() + this.settings.consumer().shutdownTimeout().toNanos();
		try {
			while (System.nanoTime() < deadline) {
				Message message = pulls.nextReceived(DRAIN_POLL);
				if (message == null || !handle(message)) {
					return;
				}
			}
		}
		catch (IOException ex) {
			// The pull ended with an error: what was not delivered is delivered again after the restart
			logger.debug("Stopped draining '{}': {}", this.settings.durableName(), ex.getMessage());
		}
		finally {
			this.acks.flush();
		}
	}

	/**
	 * Handles one delivery.
	 * @return whether reading goes on; {@code false} when the consumer must be positioned again first
	 */
	private boolean handle(Message message) {
		Delivery delivery = Delivery.of(message);
		long revision = delivery.revision();
		long consumerSequence = delivery.consumerSequence();
		this.pending = delivery.pending();
		String missing = this.position.missingBefore(consumerSequence);
		if (missing != null) {
			// They would come back after the ack wait, out of order: read on from the last processed revision.
			logger.info("Deliveries to '{}' went missing ({}); reading again after revision {}",
					this.settings.durableName(), missing, this.position.lastProcessedRevision());
			this.position.repositionStarted();
			return false;
		}
		switch (this.position.classify(revision, message.getSubject(), delivery.writtenAt())) {
			case DUPLICATE -> {
				this.counters.duplicates.increment();
				this.position.handled(consumerSequence);
				this.acks.owe(message);
				return true;
			}
			case REUSED -> {
				lost(revision);
				return false;
			}
			default -> {
				boolean accepted = processSafely(message, delivery);
				this.position.processed(revision, message.getSubject(), delivery.writtenAt());
				this.coordinator.advanceViews(revision);
				this.position.handled(consumerSequence);
				if (accepted) {
					this.acks.owe(message);
				}
				else {
					this.acks.terminate(message);
				}
				return true;
			}
		}
	}

	/**
	 * Processes a message; whatever goes wrong is this library's defect (the dispatcher keeps listener failures
	 * in), so the message is recorded as a dead letter rather than delivered again forever.
	 * @return {@code true} to acknowledge it, {@code false} to terminate it
	 */
	private boolean processSafely(Message message, Delivery delivery) {
		long revision = delivery.revision();
		this.inProcess = message;
		try {
			return process(message, delivery);
		}
		catch (Throwable ex) {
			this.counters.unexpected.increment();
			logger.error("Processing revision {} of '{}' failed; it is recorded in '{}' and not delivered again. Please "
					+ "report this as a defect of the coordinator.", revision, this.settings.streamName(),
					this.settings.deadLetterStreamName(), ex);
			this.deadLetters.record(message.getSubject(), revision, null, "processing failed: " + ex, message.getData());
			mayNotHaveReachedInitialState(message.getSubject());
			return false;
		}
		finally {
			this.inProcess = null;
		}
	}

	/**
	 * The log was read past a change of this subject that may not have reached the initial-state listeners: a
	 * resync tells them its key's stored state again (a listing may read what this reader could not).
	 */
	private void mayNotHaveReachedInitialState(String subject) {
		String key;
		try {
			key = KeyCodec.decode(subject.substring(this.subjectPrefix.length()));
		}
		catch (IllegalArgumentException ex) {
			// Not a coordinator key: no listing returns it
			return;
		}
		this.dispatcher.initialState().unsure(key);
	}

	private boolean process(Message message, Delivery delivery) {
		if (NodeRecords.isRecordSubject(message.getSubject(), this.settings.bucketName())) {
			// A node's record of its progress, not a change: acknowledged, and nothing else.
			return true;
		}
		this.counters.received.increment();
		WireFormat.Change change;
		try {
			change = WireFormat.read(message.getSubject(), message.getHeaders(), message.getData(), delivery.revision(),
					delivery.writtenAt(), this.subjectPrefix);
		}
		catch (WireFormat.MalformedMessageException ex) {
			this.counters.malformed.increment();
			logger.warn("Skipping revision {} of stream '{}': {}. It is not a coordinator change; it is recorded in "
					+ "'{}' and not delivered again.", ex.revision(), this.settings.streamName(), ex.getMessage(),
					this.settings.deadLetterStreamName());
			this.deadLetters.record(message.getSubject(), ex.revision(), null, ex.getMessage(), message.getData());
			mayNotHaveReachedInitialState(message.getSubject());
			return false;
		}
		String kvKey = message.getSubject().substring(this.subjectPrefix.length());
		this.coordinator.received(kvKey, change.revision());
		if (change.action() == CoordinatorAction.DELETE) {
			this.deadLetters.keyDeleted(kvKey);
		}
		OriginVerifier verifier = this.originVerifier;
		OriginVerification verification = (verifier != null && change.notifyListeners())
				? verifier.verify(change, kvKey) : OriginVerification.NOT_CHECKED;
		CoordinatorEvent event = new CoordinatorEvent(this.coordinator, change.key(), change.action(), change.value(),
				change.revision(), change.origin(), change.writtenAt(), this.settings.nodeId().equals(change.origin()),
				false, change.traceHeaders(), verification);
		if (this.coordinator.hasViews()) {
			// Views hold the stored state: silent changes, and changes whose origin is not verified, too.
			this.coordinator.applyToViews(event);
		}
		if (!change.notifyListeners()) {
			this.counters.silent.increment();
			this.dispatcher.silent(change.key(), change.action(), change.revision());
			return true;
		}
		if (verifier != null && verifier.getPolicy() == OriginVerifier.Policy.DROP
				&& verification != OriginVerification.VERIFIED) {
			rejected(change, verification);
			// No listener receives it, but the store holds it: like a silent change to the initial-state listeners.
			this.dispatcher.silent(change.key(), change.action(), change.revision());
			return true;
		}
		this.counters.delivered.increment();
		this.dispatcher.dispatch(event);
		return true;
	}

	/**
	 * A change whose origin was not verified, under {@code coordinator.origin.verify=drop}: not delivered,
	 * acknowledged (it would not verify the next time either), counted, and logged at WARN once per origin.
	 */
	private void rejected(WireFormat.Change change, OriginVerification verification) {
		this.counters.rejected.increment();
		String origin = (change.origin() != null) ? WireFormat.shown(change.origin()) : "(none)";
		boolean first = this.rejectedOrigins.size() < 1024 && this.rejectedOrigins.add(origin);
		if (first || logger.isDebugEnabled()) {
			String message = "Not delivering revision {} of key '{}' (claimed origin '{}'): its origin is {}. It is "
					+ "acknowledged and not delivered again (coordinator.origin.verify=drop). Check which client may "
					+ "publish to stream '{}', and that node '{}' signs its writes and is a member."
					+ (first ? " Further rejections of this origin are logged at DEBUG." : "");
			Object[] arguments = { change.revision(), change.key(), origin, verification, this.settings.streamName(),
					origin };
			if (first) {
				logger.warn(message, arguments);
			}
			else {
				logger.debug(message, arguments);
			}
		}
	}

	/**
	 * The server gave a revision this node processed to another message, or came back without it: the
	 * processed one, and any after it, were lost in a crash. Read on from the first lost one, and bring the
	 * initial-state listeners back in line.
	 */
	private void lost(long firstLost) {
		long processed = this.position.lastProcessedRevision();
		logger.warn("The server came back without revisions {} to {} of '{}' as this node had processed them: writes "
				+ "cut off by a server crash before they were stored (their writers were told the outcome is unknown). "
				+ "Initial-state listeners are brought back in line with the stored state.", firstLost, processed,
				this.settings.streamName());
		this.position.forgetFrom(firstLost);
		this.dispatcher.initialState().logDiverged();
		this.viewsHoldLostRevisions = this.coordinator.hasViews();
		this.resyncReason = "the server lost revisions " + firstLost + " to " + processed;
		this.resyncLastRevision = processed;
		this.position.repositionStarted();
	}

	/**
	 * Deliveries lost on their way, or pulls that no longer reach the server, show no error either: the server
	 * says it delivered more than this node received, or that changes wait. Either is also what a check sees
	 * when a change was written just before it, and is on its way; so the reader repositions only when a second
	 * check, after another {@link #IDLE_CHECK} without deliveries, finds the same.
	 * @param info the state of this node's consumer
	 * @return what is wrong, or {@code null} when nothing waits for this node
	 */
	private @Nullable String findStall(ConsumerInfo info) {
		long delivered = info.getDelivered().getStreamSequence();
		long processed = this.position.lastProcessedRevision();
		if (delivered > processed && info.getNumAckPending() > 0) {
			return "Durable consumer '" + this.settings.durableName() + "' delivered up to revision " + delivered
					+ ", but this node received nothing after revision " + processed
					+ ": the deliveries were lost on their way";
		}
		if (info.getNumPending() > 0) {
			return info.getNumPending() + " changes wait for durable consumer '" + this.settings.durableName()
					+ "', but none arrived: its pull requests do not reach the server";
		}
		return null;
	}

	/**
	 * While a listener runs longer than a third of the ack wait, tells the server that its event is in progress.
	 */
	private ScheduledExecutorService startProgressReports() {
		long interval = Math.max(this.settings.consumer().ackWait().toMillis() / 3, 100);
		ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "coordinator-" + this.settings.namespace() + "-progress");
			thread.setDaemon(true);
			return thread;
		});
		timer.scheduleAtFixedRate(() -> {
			Message current = this.inProcess;
			if (current != null) {
				try {
					current.inProgress();
				}
				catch (IllegalStateException ex) {
					logger.debug("Could not report progress: {}", ex.getMessage());
				}
			}
		}, interval, interval, TimeUnit.MILLISECONDS);
		return timer;
	}

	private void pause(Reader self) {
		long deadline = System.nanoTime() + RETRY_DELAY.toNanos();
		try {
			while (self.active && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			self.active = false;
		}
	}

	@Override
	public String toString() {
		return "EventLogContainer[" + this.settings.durableName() + "]";
	}

	/**
	 * One run of the reader thread, from a start to the end that follows a stop.
	 */
	private final class Reader {

		private final Thread thread;

		private final @Nullable Thread previous;

		private final List<Runnable> whenEnded = new ArrayList<>();

		private volatile boolean active = true;

		private boolean ended;

		Reader(@Nullable Thread previous) {
			this.previous = previous;
			this.thread = EventLogContainer.this.threadFactory.newThread(() -> run(this));
			this.thread.setName("coordinator-" + EventLogContainer.this.settings.namespace() + "-events");
			this.thread.setDaemon(true);
		}

		void awaitPrevious() throws InterruptedException {
			if (this.previous != null && this.previous.isAlive()) {
				logger.info("Waiting for the previous event reader of '{}' to finish its listener before reading on",
						EventLogContainer.this.settings.durableName());
				this.previous.join();
			}
		}

		/**
		 * Registers a callback for the end of this run.
		 * @return {@code false} when it ended already (the caller runs the callback)
		 */
		boolean whenEnded(Runnable callback) {
			synchronized (this.whenEnded) {
				if (this.ended) {
					return false;
				}
				this.whenEnded.add(callback);
				return true;
			}
		}

		void ended() {
			List<Runnable> callbacks;
			synchronized (this.whenEnded) {
				this.ended = true;
				callbacks = List.copyOf(this.whenEnded);
			}
			callbacks.forEach(Runnable::run);
		}

	}

	/**
	 * What the reader did with the messages of the log.
	 */
	static final class Counters {

		final LongAdder received = new LongAdder();

		final LongAdder delivered = new LongAdder();

		final LongAdder duplicates = new LongAdder();

		final LongAdder silent = new LongAdder();

		final LongAdder malformed = new LongAdder();

		final LongAdder replayed = new LongAdder();

		final LongAdder resyncs = new LongAdder();

		final LongAdder unexpected = new LongAdder();

		final LongAdder rejected = new LongAdder();

	}

}
