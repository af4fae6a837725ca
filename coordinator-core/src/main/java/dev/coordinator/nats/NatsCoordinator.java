package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorException;
import dev.coordinator.CoordinatorListenerFailedEvent;
import dev.coordinator.CoordinatorResyncEvent;
import dev.coordinator.CoordinatorSyncedEvent;
import dev.coordinator.Registration;
import dev.coordinator.listener.ListenerRetryPolicy;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * {@link Coordinator} on a NATS JetStream KV bucket whose stream is the log of events.
 *
 * <p>A write is one JetStream publish to the bucket's subject for the key, so the value and its event are
 * one message: {@link #put} stores and announces, and the publish acknowledgement's sequence is the
 * revision. Each write carries a {@code Nats-Msg-Id}, so a write sent again after a lost acknowledgement is
 * stored once. Every node reads the bucket's stream with a durable consumer of its own and publishes each
 * change as a {@link CoordinatorEvent} through the {@link ApplicationEventPublisher}, then to its
 * {@link #watch} registrations, then acknowledges it.
 *
 * <p>Lifecycle: {@link #afterPropertiesSet()} creates or checks the bucket and creates or resumes this node's
 * consumer, so the coordinator can be written to and read from; {@link #start()} starts delivering events,
 * and {@link #stop()} stops after the events already received were delivered. The connection belongs to the
 * caller and is not closed.
 */
public class NatsCoordinator implements Coordinator, SmartLifecycle, InitializingBean, DisposableBean,
		ApplicationListener<CoordinatorListenerFailedEvent> {

	private static final Logger logger = LoggerFactory.getLogger(NatsCoordinator.class);

	private static final int WRONG_LAST_SEQUENCE = 10071;

	/** Bytes reserved for the headers of a write when checking a value against the server's payload limit. */
	private static final int HEADER_ALLOWANCE = 512;

	private static final int DELETE_ATTEMPTS = 16;

	/** First wait when no server answers for the stream, doubled up to {@link #MAX_PAUSE}. */
	private static final Duration FIRST_PAUSE = Duration.ofMillis(50);

	private static final Duration MAX_PAUSE = Duration.ofSeconds(1);

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final ApplicationEventPublisher publisher;

	private final JetStream jetStream;

	private final KeyValueOptions keyValueOptions;

	private final String subjectPrefix;

	private final WatchRegistry watches = new WatchRegistry();

	private final EventLogConsumer consumer;

	private final DeadLetters deadLetters;

	private final InitialStateView initialState = new InitialStateView();

	private final Counters counters = new Counters();

	private Supplier<Set<String>> initialStatePrefixes = Set::of;

	private volatile @Nullable KeyValue keyValue;

	/**
	 * Creates a coordinator; call {@link #afterPropertiesSet()} before using it (Spring does).
	 * @param connection the NATS connection, owned by the caller
	 * @param settings the settings
	 * @param publisher where events are published, usually the application context
	 */
	public NatsCoordinator(Connection connection, NatsCoordinatorSettings settings,
			ApplicationEventPublisher publisher) {
		this.connection = Objects.requireNonNull(connection, "connection");
		this.settings = Objects.requireNonNull(settings, "settings");
		this.publisher = Objects.requireNonNull(publisher, "publisher");
		JetStreamOptions jetStreamOptions = JetStreamOptions.builder()
			.requestTimeout(settings.writes().timeout())
			.build();
		this.keyValueOptions = KeyValueOptions.builder().jetStreamOptions(jetStreamOptions).build();
		try {
			this.jetStream = connection.jetStream(jetStreamOptions);
		}
		catch (IOException ex) {
			throw new CoordinatorException("JetStream is not available on the NATS connection: " + ex.getMessage(), ex);
		}
		this.subjectPrefix = "$KV." + settings.bucketName() + ".";
		this.deadLetters = new DeadLetters(connection, settings, jetStreamOptions);
		this.consumer = new EventLogConsumer(connection, settings, jetStreamOptions, new EventLogConsumer.Callbacks() {

			@Override
			public void synchronize() {
				NatsCoordinator.this.synchronize();
			}

			@Override
			public boolean process(Message message) {
				return NatsCoordinator.this.process(message);
			}

			@Override
			public void duplicate() {
				NatsCoordinator.this.counters.duplicates.increment();
			}

			@Override
			public long resync(String reason, long lastRevision) {
				return NatsCoordinator.this.resync(reason, lastRevision);
			}

		});
	}

	/**
	 * Sets where the key prefixes of the initial-state listeners come from; read when delivery starts.
	 * @param prefixes the prefixes whose entries are replayed to initial-state listeners
	 */
	public void setInitialStatePrefixes(Supplier<Set<String>> prefixes) {
		this.initialStatePrefixes = Objects.requireNonNull(prefixes, "prefixes");
	}

	/**
	 * Creates the bucket or checks the existing one, and creates or resumes this node's durable consumer.
	 * @throws BucketConflictException when the bucket exists with other settings
	 * @throws CoordinatorException when the server cannot be used
	 */
	@Override
	public void afterPropertiesSet() {
		try {
			BucketProvisioner.ensure(this.connection.keyValueManagement(this.keyValueOptions),
					this.settings.bucketName(), this.settings.bucket());
			this.keyValue = this.connection.keyValue(this.settings.bucketName(), this.keyValueOptions);
			this.consumer.prepare();
			this.deadLetters.prepare();
		}
		catch (IOException | JetStreamApiException ex) {
			throw new CoordinatorException("Could not set up KV bucket '" + this.settings.bucketName()
					+ "' and the durable consumer of node '" + this.settings.nodeId() + "': " + ex.getMessage()
					+ ". Check that the NATS server runs with JetStream enabled (nats-server -js).", ex);
		}
	}

	@Override
	public String nodeId() {
		return this.settings.nodeId();
	}

	/**
	 * Returns the settings this coordinator runs with.
	 * @return the settings
	 */
	public NatsCoordinatorSettings getSettings() {
		return this.settings;
	}

	/**
	 * Returns what this node did with the messages of the event log since it started.
	 * @return the statistics
	 */
	public DeliveryStatistics statistics() {
		return this.counters.snapshot();
	}

	/**
	 * Returns the last revision this node processed.
	 * @return the revision, 0 before the first
	 */
	public long lastProcessedRevision() {
		return this.consumer.lastProcessedRevision();
	}

	@Override
	public long put(String key, byte[] value, boolean notify) {
		String kvKey = encodeWrite(key, value);
		return publish("put", key, kvKey, WireFormat.headers(nodeId(), notify, false), value, null);
	}

	@Override
	public CompletableFuture<Long> putAsync(String key, byte[] value) {
		String kvKey = encodeWrite(key, value);
		return publishAsync(key, this.subjectPrefix + kvKey, WireFormat.headers(nodeId(), true, false), value,
				publishOptions(null), 1, System.nanoTime() + writeBudget().toNanos(), FIRST_PAUSE);
	}

	@Override
	public Optional<CoordinatorEntry> get(String key) {
		String kvKey = KeyCodec.encode(key);
		return reading("Reading key '" + key + "'",
				() -> Optional.ofNullable(keyValue().get(kvKey)).map((found) -> toEntry(key, found)));
	}

	@Override
	public boolean delete(String key, boolean notify) {
		String kvKey = KeyCodec.encode(key);
		for (int attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
			Optional<CoordinatorEntry> current = get(key);
			if (current.isEmpty()) {
				return false;
			}
			try {
				publish("delete", key, kvKey, WireFormat.headers(nodeId(), notify, true), new byte[0],
						current.get().revision());
				return true;
			}
			catch (ConcurrentWriteException ex) {
				// Written or deleted by someone else since it was read: look again.
			}
		}
		throw new CoordinatorException("Deleting key '" + key + "' failed: it was changed concurrently "
				+ DELETE_ATTEMPTS + " times while deleting it");
	}

	@Override
	public int deletePrefix(String prefix) {
		int deleted = 0;
		for (String key : keys(prefix)) {
			if (delete(key, true)) {
				deleted++;
			}
		}
		return deleted;
	}

	@Override
	public List<String> keys(String prefix) {
		String filter = KeyCodec.filter(prefix);
		List<String> kvKeys = reading("Listing keys under '" + prefix + "'", () -> keyValue().keys(filter));
		List<String> keys = new ArrayList<>(kvKeys.size());
		for (String kvKey : kvKeys) {
			String key = decodeOrNull(kvKey);
			if (key != null && key.startsWith(prefix)) {
				keys.add(key);
			}
		}
		Collections.sort(keys);
		return keys;
	}

	@Override
	public List<CoordinatorEntry> list(String prefix) {
		String filter = KeyCodec.filter(prefix);
		List<CoordinatorEntry> entries = reading("Listing entries under '" + prefix + "'", () -> listOnce(prefix, filter));
		entries.sort(Comparator.comparing(CoordinatorEntry::key));
		return entries;
	}

	/**
	 * Reads the latest revision of every key under a filter with an ordered consumer, until it caught up. The
	 * consumer also passes on writes made while it reads, and may repeat a message when it restarts itself: keep
	 * the latest revision per key, and drop keys whose latest revision is a delete.
	 */
	private List<CoordinatorEntry> listOnce(String prefix, String filter)
			throws IOException, JetStreamApiException, InterruptedException {
		Map<String, KeyValueEntry> latest = new ConcurrentHashMap<>();
		CountDownLatch complete = new CountDownLatch(1);
		KeyValueWatcher collector = new KeyValueWatcher() {

			@Override
			public void watch(KeyValueEntry entry) {
				latest.merge(entry.getKey(), entry,
						(known, next) -> (next.getRevision() > known.getRevision()) ? next : known);
			}

			@Override
			public void endOfData() {
				complete.countDown();
			}

		};
		Duration timeout = this.settings.writes().timeout();
		NatsKeyValueWatchSubscription subscription = keyValue().watch(filter, collector);
		try {
			if (!complete.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IOException("the listing did not complete within " + timeout);
			}
		}
		finally {
			subscription.unsubscribe();
		}
		List<CoordinatorEntry> entries = new ArrayList<>(latest.size());
		for (KeyValueEntry entry : latest.values()) {
			String key = decodeOrNull(entry.getKey());
			if (key != null && key.startsWith(prefix) && entry.getOperation() == KeyValueOperation.PUT) {
				entries.add(toEntry(key, entry));
			}
		}
		return entries;
	}

	/**
	 * Runs a read, again when it timed out (reads change nothing, so they can always be repeated).
	 */
	private <T> T reading(String what, Read<T> read) {
		int attempts = this.settings.writes().attempts();
		for (int attempt = 1;; attempt++) {
			try {
				return read.run();
			}
			catch (IOException ex) {
				if (attempt >= attempts) {
					throw new CoordinatorException(what + " failed after " + attempts + " attempts: " + ex.getMessage(), ex);
				}
				logger.debug("{} failed (attempt {} of {}): {}", what, attempt, attempts, ex.getMessage());
			}
			catch (JetStreamApiException | IllegalStateException ex) {
				throw new CoordinatorException(what + " failed: " + ex.getMessage(), ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new CoordinatorException(what + " was interrupted", ex);
			}
		}
	}

	@Override
	public Registration watch(String prefix, Consumer<CoordinatorEvent> handler) {
		KeyCodec.requireValidPrefix(prefix);
		Objects.requireNonNull(handler, "handler");
		return this.watches.register(prefix, handler);
	}

	@Override
	public void start() {
		if (this.keyValue == null) {
			throw new IllegalStateException("afterPropertiesSet() must be called before start()");
		}
		this.consumer.start();
	}

	@Override
	public void stop() {
		this.consumer.stop();
	}

	@Override
	public boolean isRunning() {
		return this.consumer.isRunning();
	}

	/**
	 * Stops delivering events and releases every watch registration.
	 */
	@Override
	public void destroy() {
		stop();
		this.watches.clear();
	}

	/**
	 * Records a listener that failed on an event in every attempt as a dead letter.
	 */
	@Override
	public void onApplicationEvent(CoordinatorListenerFailedEvent failed) {
		if (failed.getSource() != this) {
			return;
		}
		this.counters.deadLettered.increment();
		CoordinatorEvent event = failed.getEvent();
		this.deadLetters.record(this.subjectPrefix + KeyCodec.encode(event.getKey()), event.getRevision(),
				failed.getListenerId(), failed.getFailure().toString(), event.getValue());
	}

	private boolean process(Message message) {
		if (NodeRecords.isRecordSubject(message.getSubject(), this.settings.bucketName())) {
			// A node's record of its progress, not a change: acknowledged, and nothing else.
			return true;
		}
		this.counters.received.increment();
		WireFormat.Change change;
		try {
			change = WireFormat.read(message, this.subjectPrefix);
		}
		catch (WireFormat.MalformedMessageException ex) {
			this.counters.malformed.increment();
			logger.warn("Skipping revision {} of stream '{}': {}. It is not a coordinator change; it is recorded in "
					+ "'{}' and not delivered again.", ex.revision(), this.settings.streamName(), ex.getMessage(),
					this.settings.deadLetterStreamName());
			this.deadLetters.record(message.getSubject(), ex.revision(), null, ex.getMessage(), message.getData());
			return false;
		}
		this.initialState.apply(change.key(), change.action(), change.revision());
		if (!change.notifyListeners()) {
			this.counters.silent.increment();
			return true;
		}
		this.counters.delivered.increment();
		dispatch(new CoordinatorEvent(this, change.key(), change.action(), change.value(), change.revision(),
				change.origin(), change.writtenAt(), nodeId().equals(change.origin())));
		return true;
	}

	private void dispatch(CoordinatorEvent event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.error("A listener failed for {} of key '{}' at revision {}; the event is acknowledged and the "
					+ "listeners after it in order did not receive it. Use @CoordinatorListener, whose failures are "
					+ "isolated, or catch the exception in the listener.", event.getAction(), event.getKey(),
					event.getRevision(), ex);
		}
		if (event.isReplay()) {
			return;
		}
		ListenerRetryPolicy retry = this.settings.listenerRetry();
		for (WatchRegistry.Watch watch : this.watches.matching(event.getKey())) {
			String listenerId = "watch:" + watch.prefix();
			ListenerRetryPolicy.Failure failure = retry.call(() -> watch.deliver(event), (attempt, ex, wait) -> logger.warn(
					"The {} handler failed for {} of key '{}' at revision {} (attempt {} of {}); trying again in {}: {}",
					listenerId, event.getAction(), event.getKey(), event.getRevision(), attempt, retry.attempts(), wait,
					ex.toString()));
			if (failure != null) {
				logger.error("The {} handler failed for {} of key '{}' at revision {} after {} attempt(s); the event is "
						+ "recorded as a dead letter and the other listeners still receive it.", listenerId,
						event.getAction(), event.getKey(), event.getRevision(), failure.attempts(), failure.exception());
				this.publisher.publishEvent(new CoordinatorListenerFailedEvent(event, listenerId, failure.attempts(),
						failure.exception()));
			}
		}
	}

	/**
	 * Delivers the stored entries under the initial-state prefixes to the initial-state listeners, then tells
	 * the application that the node is in sync.
	 */
	private void synchronize() {
		this.initialState.setPrefixes(this.initialStatePrefixes.get());
		long revision = replayStoredState();
		long awayAfter = this.consumer.takeAwayAfter();
		if (awayAfter >= 0) {
			this.counters.resyncs.increment();
			this.publisher.publishEvent(new CoordinatorResyncEvent(this, "durable consumer '"
					+ this.settings.durableName() + "' expired while the node was away", awayAfter, revision));
		}
		this.publisher.publishEvent(new CoordinatorSyncedEvent(this, revision));
	}

	private long resync(String reason, long lastRevision) {
		this.counters.resyncs.increment();
		long revision = replayStoredState();
		this.publisher.publishEvent(new CoordinatorResyncEvent(this, reason, lastRevision, revision));
		this.publisher.publishEvent(new CoordinatorSyncedEvent(this, revision));
		return revision;
	}

	/**
	 * Reads the stored state and replays what the initial-state listeners do not have yet.
	 * @return the revision up to which the state contains every change
	 */
	private long replayStoredState() {
		long revision = lastRevisionOfLog();
		if (this.initialState.prefixes().isEmpty()) {
			return revision;
		}
		List<CoordinatorEntry> entries = new ArrayList<>();
		this.initialState.prefixes().forEach((prefix) -> entries.addAll(list(prefix)));
		InitialStateView.Differences differences = this.initialState.reconcile(entries);
		Instant now = Instant.now();
		for (String key : differences.vanished()) {
			this.counters.replayed.increment();
			dispatch(new CoordinatorEvent(this, key, CoordinatorAction.DELETE, null, revision, null, now, false, true));
		}
		for (CoordinatorEntry entry : differences.changed()) {
			this.counters.replayed.increment();
			dispatch(new CoordinatorEvent(this, entry.key(), CoordinatorAction.PUT, entry.value(), entry.revision(), null,
					entry.created(), false, true));
		}
		logger.info("Replayed {} entries and {} deletions under {} to initial-state listeners; in sync at revision {}",
				differences.changed().size(), differences.vanished().size(), this.initialState.prefixes(), revision);
		return revision;
	}

	private long lastRevisionOfLog() {
		try {
			return this.connection.jetStreamManagement(this.keyValueOptions.getJetStreamOptions())
				.getStreamInfo(this.settings.streamName())
				.getStreamState()
				.getLastSequence();
		}
		catch (IOException | JetStreamApiException ex) {
			throw new CoordinatorException("Reading the state of stream '" + this.settings.streamName() + "' failed: "
					+ ex.getMessage(), ex);
		}
	}

	private String encodeWrite(String key, byte[] value) {
		String kvKey = KeyCodec.encode(key);
		if (value == null) {
			throw new IllegalArgumentException("Value for key '" + key + "' is null; use an empty array for an empty value");
		}
		requireValueSize(key, value.length);
		return kvKey;
	}

	/**
	 * Options of one write: its own message id, so that sending it again after a lost acknowledgement stores
	 * it once, and optionally the revision the key must still have. (No expected-stream header: only the
	 * bucket's stream can hold its subjects, and checking that on every write costs throughput.)
	 */
	private PublishOptions publishOptions(@Nullable Long expectedRevision) {
		PublishOptions.Builder options = PublishOptions.builder().messageId(NUID.nextGlobal());
		if (expectedRevision != null) {
			options.expectedLastSubjectSequence(expectedRevision);
		}
		return options.build();
	}

	/**
	 * Sends a put without waiting. Whatever keeps it from being acknowledged (a timeout, a connection being
	 * re-established, no stream leader) is met by sending it again with backoff until the write budget is
	 * used: it carries the same message id each time, so it is stored once.
	 */
	private CompletableFuture<Long> publishAsync(String key, String subject, Headers headers, byte[] body,
			PublishOptions options, int attempt, long deadline, Duration pause) {
		CompletableFuture<PublishAck> acknowledged;
		try {
			acknowledged = this.jetStream.publishAsync(subject, headers, body, options)
				.orTimeout(this.settings.writes().timeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (IllegalStateException ex) {
			acknowledged = CompletableFuture.failedFuture(ex);
		}
		return acknowledged.thenApply(PublishAck::getSeqno).exceptionallyCompose((failure) -> {
			Throwable cause = (failure instanceof CompletionException && failure.getCause() != null)
					? failure.getCause() : failure;
			if (cause instanceof JetStreamApiException refused) {
				return CompletableFuture.failedFuture(new CoordinatorException("The server refused the put of key '"
						+ key + "': " + refused.getMessage(), refused));
			}
			if (System.nanoTime() + pause.toNanos() >= deadline) {
				return CompletableFuture.failedFuture(new CoordinatorException("The put of key '" + key
						+ "' was not acknowledged within " + writeBudget() + " (" + attempt + " attempts), so it may "
						+ "or may not have been stored; read the key to find out. Last failure: " + cause, cause));
			}
			logger.debug("Attempt {} of the put of key '{}' failed ({}); sending it again in {}", attempt, key, cause,
					pause);
			Executor later = CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS);
			return CompletableFuture.supplyAsync(() -> null, later)
				.thenCompose((ignored) -> publishAsync(key, subject, headers, body, options, attempt + 1, deadline,
						nextPause(pause)));
		});
	}

	private long publish(String operation, String key, String kvKey, Headers headers, byte[] body,
			@Nullable Long expectedRevision) {
		PublishOptions publishOptions = publishOptions(expectedRevision);
		String subject = this.subjectPrefix + kvKey;
		int attempts = this.settings.writes().attempts();
		long deadline = System.nanoTime() + writeBudget().toNanos();
		Duration pause = FIRST_PAUSE;
		IOException lastFailure = null;
		for (int attempt = 1; attempt <= attempts;) {
			try {
				PublishAck ack = this.jetStream.publish(subject, headers, body, publishOptions);
				return ack.getSeqno();
			}
			catch (IOException ex) {
				lastFailure = ex;
				if (!isNoResponders(ex)) {
					attempt++;
					logger.debug("Attempt {} of {} of key '{}' got no acknowledgement: {}", attempt - 1, operation, key,
							ex.getMessage());
				}
				else if (System.nanoTime() + pause.toNanos() < deadline) {
					// No server answers for the stream (a leader is being elected): nothing was stored, wait.
					sleep(pause);
					pause = nextPause(pause);
				}
				else {
					throw new CoordinatorException("The " + operation + " of key '" + key + "' was not stored: no "
							+ "JetStream server answered for stream '" + this.settings.streamName() + "' within "
							+ writeBudget() + " (is a leader being elected, or is JetStream down?)", ex);
				}
			}
			catch (JetStreamApiException ex) {
				if (ex.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
					throw new ConcurrentWriteException();
				}
				throw new CoordinatorException("The server refused the " + operation + " of key '" + key + "': "
						+ ex.getMessage(), ex);
			}
			catch (IllegalStateException ex) {
				throw new CoordinatorException("The " + operation + " of key '" + key + "' failed: " + ex.getMessage(), ex);
			}
		}
		throw new CoordinatorException("The " + operation + " of key '" + key + "' was not acknowledged after "
				+ attempts + " attempts of " + this.settings.writes().timeout() + " each, so it may or may not have been "
				+ "stored; read the key to find out. Last failure: "
				+ ((lastFailure != null) ? lastFailure.getMessage() : "none"), lastFailure);
	}

	/**
	 * How long a write may take in all: every attempt's timeout.
	 */
	private Duration writeBudget() {
		return this.settings.writes().timeout().multipliedBy(this.settings.writes().attempts());
	}

	private static Duration nextPause(Duration pause) {
		Duration doubled = pause.multipliedBy(2);
		return (doubled.compareTo(MAX_PAUSE) < 0) ? doubled : MAX_PAUSE;
	}

	/**
	 * The client reports a request that no server took (status 503) as an I/O error with that status.
	 */
	private static boolean isNoResponders(Throwable ex) {
		String message = ex.getMessage();
		return message != null && (message.contains("503") || message.contains("No Responders"));
	}

	private static void sleep(Duration pause) {
		try {
			Thread.sleep(pause.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CoordinatorException("Interrupted while waiting for a JetStream server to answer", ex);
		}
	}

	private void requireValueSize(String key, int size) {
		long bucketLimit = this.settings.bucket().maxValueSize();
		if (bucketLimit > 0 && size > bucketLimit) {
			throw new IllegalArgumentException("Value for key '" + key + "' is " + size + " bytes; bucket '"
					+ this.settings.bucketName() + "' takes values up to " + bucketLimit
					+ " bytes (coordinator.bucket.max-value-size)");
		}
		long serverLimit = this.connection.getMaxPayload() - HEADER_ALLOWANCE;
		if (size > serverLimit) {
			throw new IllegalArgumentException("Value for key '" + key + "' is " + size + " bytes; the NATS server "
					+ "takes messages up to " + this.connection.getMaxPayload() + " bytes including headers "
					+ "(max_payload in the server's configuration)");
		}
	}

	private KeyValue keyValue() {
		KeyValue current = this.keyValue;
		if (current == null) {
			throw new IllegalStateException("NatsCoordinator is not initialized: call afterPropertiesSet() first");
		}
		return current;
	}

	private static CoordinatorEntry toEntry(String key, KeyValueEntry entry) {
		byte[] value = entry.getValue();
		return new CoordinatorEntry(key, (value != null) ? value : new byte[0], entry.getRevision(),
				entry.getCreated().toInstant());
	}

	private static @Nullable String decodeOrNull(String kvKey) {
		try {
			return KeyCodec.decode(kvKey);
		}
		catch (IllegalArgumentException ex) {
			logger.debug("Ignoring KV key '{}': {}", kvKey, ex.getMessage());
			return null;
		}
	}

	@Override
	public String toString() {
		return "NatsCoordinator[node=" + nodeId() + ", bucket=" + this.settings.bucketName() + "]";
	}

	private static final class Counters {

		private final LongAdder received = new LongAdder();

		private final LongAdder delivered = new LongAdder();

		private final LongAdder duplicates = new LongAdder();

		private final LongAdder silent = new LongAdder();

		private final LongAdder malformed = new LongAdder();

		private final LongAdder deadLettered = new LongAdder();

		private final LongAdder replayed = new LongAdder();

		private final LongAdder resyncs = new LongAdder();

		DeliveryStatistics snapshot() {
			return new DeliveryStatistics(this.received.sum(), this.delivered.sum(), this.duplicates.sum(),
					this.silent.sum(), this.malformed.sum(), this.deadLettered.sum(), this.replayed.sum(),
					this.resyncs.sum());
		}

	}

	/**
	 * A read from the server.
	 */
	@FunctionalInterface
	private interface Read<T> {

		T run() throws IOException, JetStreamApiException, InterruptedException;

	}

	/**
	 * The key was written since it was read.
	 */
	private static final class ConcurrentWriteException extends RuntimeException {

		ConcurrentWriteException() {
			super(null, null, false, false);
		}

	}

}
