package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorConflictException;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorException;
import dev.coordinator.CoordinatorJsonCodec;
import dev.coordinator.CoordinatorView;
import dev.coordinator.Registration;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.listener.LocalView;
import dev.coordinator.listener.WatchRegistry;
import dev.coordinator.observation.CoordinatorObservation;
import dev.coordinator.observation.CoordinatorWriteContext;
import dev.coordinator.observation.CoordinatorWriteObservationConvention;
import dev.coordinator.observation.DefaultCoordinatorWriteObservationConvention;
import dev.coordinator.observation.UnobservedWrites;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.NUID;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * {@link Coordinator} on a NATS JetStream KV bucket whose stream is the log of events: the write and read
 * facade.
 *
 * <p>A write is one JetStream publish to the bucket's subject for the key, so the value and its event are
 * one message: {@link #put} stores and announces, and the publish acknowledgement's sequence is the
 * revision. Each write carries a {@code Nats-Msg-Id}, so a write sent again after a lost acknowledgement is
 * stored once. Reading the log and delivering its events is the job of the {@link EventLogContainer}.
 *
 * <p>With an {@link ObservationRegistry}, each write runs in a {@link CoordinatorObservation#WRITE
 * coordinator.write} observation, which puts its trace context into the message's headers (writes inside
 * {@link UnobservedWrites#call} excepted).
 *
 * <p>{@link #afterPropertiesSet()} creates or checks the bucket. The connection belongs to the caller and is
 * not closed.
 */
public class NatsCoordinator implements Coordinator, InitializingBean, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(NatsCoordinator.class);

	private static final int WRONG_LAST_SEQUENCE = 10071;


	/**
	 * Bytes reserved for the headers of a write when checking a value against the server's payload limit: ours
	 * (about 260 at most, 110 more with a signature) and a trace context (70 for {@code traceparent}, a
	 * {@code tracestate} of up to 128 characters).
	 */
	private static final int HEADER_ALLOWANCE = 640;

	/** Compare-and-set attempts of a delete or create that keeps meeting concurrent writes. */
	private static final int DELETE_ATTEMPTS = 16;

	/** First wait before a write or read is sent again, doubled up to {@link #MAX_PAUSE}. */
	private static final Duration FIRST_PAUSE = Duration.ofMillis(50);

	private static final Duration MAX_PAUSE = Duration.ofSeconds(1);

	/** Times a listing's wait doubles at most, from one attempt to the next. */
	private static final int MAX_LISTING_DOUBLINGS = 4;

	/** How often a listing checks that entries still arrive. */
	private static final Duration LISTING_CHECK = Duration.ofMillis(100);

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final CoordinatorJsonCodec jsonCodec;

	private final JetStream jetStream;

	private final KeyValueOptions keyValueOptions;

	private final String subjectPrefix;

	private final WatchRegistry watches = new WatchRegistry();

	private final RetryTemplate reads;

	/** Sends a write again after an I/O failure (no answer in time), for as long as the write budget lasts. */
	private final RetryTemplate writes;

	private final RetryTemplate compareAndSetRetries;

	/** The write budget, computed once: {@code Duration.multipliedBy} costs more than a write's other set-up. */
	private final long writeBudgetNanos;

	private final RevisionFloors floors = new RevisionFloors();

	private final WriteTimeouts writeTimeouts;

	private final List<LocalView> views = new CopyOnWriteArrayList<>();

	private final LeaderReads leader;

	/** Whether the bucket has replicas that may lag behind its leader, so that reads are checked. */
	private volatile boolean replicated;

	private volatile @Nullable KeyValue keyValue;

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private @Nullable CoordinatorWriteObservationConvention observationConvention;

	private @Nullable OriginSigner originSigner;

	/**
	 * Creates a coordinator that writes and reads JSON with the library's {@link Jackson2JsonCodec}; call
	 * {@link #afterPropertiesSet()} before using it (Spring does).
	 * @param connection the NATS connection, owned by the caller
	 * @param settings the settings
	 */
	public NatsCoordinator(Connection connection, NatsCoordinatorSettings settings) {
		this(connection, settings, new Jackson2JsonCodec());
	}

	/**
	 * Creates a coordinator; call {@link #afterPropertiesSet()} before using it (Spring does).
	 * @param connection the NATS connection, owned by the caller
	 * @param settings the settings
	 * @param jsonCodec the codec of {@link #putJson} and {@code valueAs}
	 */
	public NatsCoordinator(Connection connection, NatsCoordinatorSettings settings, CoordinatorJsonCodec jsonCodec) {
		this.connection = Objects.requireNonNull(connection, "connection");
		this.settings = Objects.requireNonNull(settings, "settings");
		this.jsonCodec = Objects.requireNonNull(jsonCodec, "jsonCodec");
		this.keyValueOptions = KeyValueOptions.builder().jetStreamOptions(jetStreamOptions(settings.read().timeout())).build();
		try {
			this.jetStream = connection.jetStream(jetStreamOptions(settings.write().timeout()));
		}
		catch (IOException ex) {
			throw new CoordinatorException("JetStream is not available on the NATS connection: " + ex.getMessage(), ex);
		}
		this.subjectPrefix = "$KV." + settings.bucketName() + ".";
		this.leader = new LeaderReads(connection, settings.streamName(), settings.read().timeout());
		this.reads = new RetryTemplate(RetryPolicy.builder()
			.maxRetries(settings.read().attempts() - 1)
			.delay(FIRST_PAUSE)
			.multiplier(2)
			.maxDelay(MAX_PAUSE)
			.includes(IOException.class)
			.build());
		this.writeBudgetNanos = settings.write().budget().toNanos();
		this.writeTimeouts = new WriteTimeouts(settings.write().timeout(),
				"coordinator-" + settings.namespace() + "-write-timeouts");
		this.writes = new RetryTemplate(writeRetryPolicy((failure) -> failure instanceof IOException));
		this.compareAndSetRetries = new RetryTemplate(RetryPolicy.builder()
			.maxRetries(DELETE_ATTEMPTS - 1)
			.delay(Duration.ZERO)
			.includes(ConcurrentWriteException.class)
			.build());
	}

	static JetStreamOptions jetStreamOptions(Duration timeout) {
		return JetStreamOptions.builder().requestTimeout(timeout).build();
	}

	/**
	 * Sets the registry that observes writes; {@link ObservationRegistry#NOOP} (the default) observes none.
	 * @param observationRegistry the registry
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
	}

	/**
	 * Sets the convention of write observations, instead of {@link DefaultCoordinatorWriteObservationConvention}.
	 * @param observationConvention the convention, or {@code null} for the default
	 */
	public void setObservationConvention(@Nullable CoordinatorWriteObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
	}

	/**
	 * Sets the key that signs every write of this node ({@code Coordinator-Signature}), so that receivers can verify
	 * its origin; without one (the default) writes are not signed.
	 * @param originSigner the signer, or {@code null} to sign nothing
	 */
	public void setOriginSigner(@Nullable OriginSigner originSigner) {
		this.originSigner = originSigner;
	}

	/**
	 * Returns the key that signs this node's writes.
	 * @return the signer, or {@code null} when writes are not signed
	 */
	public @Nullable OriginSigner getOriginSigner() {
		return this.originSigner;
	}

	/**
	 * Creates the bucket or checks the existing one.
	 * @throws BucketConflictException when the bucket exists with other settings
	 * @throws CoordinatorException when the server cannot be used
	 */
	@Override
	public void afterPropertiesSet() {
		try {
			KeyValueStatus status = BucketProvisioner.ensure(this.connection.keyValueManagement(this.keyValueOptions),
					this.settings.bucketName(), this.settings.bucket());
			this.replicated = status.getReplicas() > 1;
			this.keyValue = this.connection.keyValue(this.settings.bucketName(), this.keyValueOptions);
		}
		catch (IOException | JetStreamApiException ex) {
			throw new CoordinatorException("Could not set up KV bucket '" + this.settings.bucketName() + "': "
					+ ex.getMessage() + ". Check that the NATS server runs with JetStream enabled (nats-server -js).", ex);
		}
	}

	@Override
	public String nodeId() {
		return this.settings.nodeId();
	}

	@Override
	public CoordinatorJsonCodec jsonCodec() {
		return this.jsonCodec;
	}

	/**
	 * Returns the settings this coordinator runs with.
	 * @return the settings
	 */
	public NatsCoordinatorSettings getSettings() {
		return this.settings;
	}

	/**
	 * Returns the connection this coordinator uses.
	 * @return the connection
	 */
	public Connection getConnection() {
		return this.connection;
	}

	/**
	 * Returns single-message reads from the stream's leader.
	 * @return the reads
	 */
	LeaderReads getLeaderReads() {
		return this.leader;
	}

	/**
	 * Returns the watch registrations, which the {@link EventLogContainer} delivers to.
	 * @return the registrations
	 */
	public WatchRegistry getWatchRegistry() {
		return this.watches;
	}

	@Override
	public long put(String key, byte[] value, boolean notify) {
		String kvKey = encodeWrite(key, value);
		Headers headers = headers(kvKey, value, notify, false);
		return observed("put", key, headers, () -> written(kvKey, publish("put", key, kvKey, headers, value, null)));
	}

	@Override
	public CompletableFuture<Long> putAsync(String key, byte[] value) {
		String kvKey = encodeWrite(key, value);
		Headers headers = headers(kvKey, value, true, false);
		Observation observation = writeObservation("put", key, headers);
		if (observation.isNoop()) {
			return publishAsync(key, kvKey, headers, value);
		}
		CoordinatorWriteContext context = (CoordinatorWriteContext) observation.getContext();
		observation.start();
		CompletableFuture<Long> written;
		try (Observation.Scope scope = observation.openScope()) {
			written = publishAsync(key, kvKey, headers, value);
		}
		catch (RuntimeException | Error ex) {
			observation.error(ex);
			observation.stop();
			throw ex;
		}
		return written.whenComplete((revision, failure) -> {
			if (failure != null) {
				observation.error(rootOf(failure));
			}
			else {
				context.setOutcome(CoordinatorWriteContext.SUCCESS);
			}
			observation.stop();
		});
	}

	private CompletableFuture<Long> publishAsync(String key, String kvKey, Headers headers, byte[] value) {
		return publishAsync(key, this.subjectPrefix + kvKey, headers, value, publishOptions(null), 1,
				System.nanoTime() + this.writeBudgetNanos, null)
			.thenApply((revision) -> written(kvKey, revision));
	}

	@Override
	public long create(String key, byte[] value, boolean notify) {
		String kvKey = encodeWrite(key, value);
		Headers headers = headers(kvKey, value, notify, false);
		return observed("create", key, headers, () -> create(key, kvKey, headers, value));
	}

	private long create(String key, String kvKey, Headers headers, byte[] value) {
		// Absent means never written (revision 0 of the key) or deleted (the delete marker's revision).
		AtomicLong expected = new AtomicLong(0);
		try {
			return this.compareAndSetRetries.execute(() -> {
				try {
					return written(kvKey, publish("create", key, kvKey, headers, value, expected.get()));
				}
				catch (ConcurrentWriteException ex) {
					MessageInfo current = this.leader.lastOn(this.subjectPrefix + kvKey);
					if (current != null && !isDeletion(current)) {
						throw new CoordinatorConflictException(key, "absent", OptionalLong.of(current.getSeq()));
					}
					expected.set((current != null) ? current.getSeq() : 0);
					throw ex;
				}
			});
		}
		catch (RetryException ex) {
			throw casFailure("Creating", key, ex);
		}
	}

	@Override
	public long update(String key, byte[] value, long expectedRevision, boolean notify) {
		String kvKey = encodeWrite(key, value);
		Headers headers = headers(kvKey, value, notify, false);
		return observed("update", key, headers, () -> {
			try {
				return written(kvKey, publish("update", key, kvKey, headers, value, expectedRevision));
			}
			catch (ConcurrentWriteException ex) {
				throw conflict(key, kvKey, expectedRevision);
			}
		});
	}

	@Override
	public long delete(String key, long expectedRevision, boolean notify) {
		String kvKey = KeyCodec.encode(key);
		Headers headers = headers(kvKey, new byte[0], notify, true);
		return observed("delete", key, headers, () -> {
			try {
				return written(kvKey, publish("delete", key, kvKey, headers, new byte[0], expectedRevision));
			}
			catch (ConcurrentWriteException ex) {
				throw conflict(key, kvKey, expectedRevision);
			}
		});
	}

	/**
	 * The headers of a write, signed when this node signs its writes.
	 */
	private Headers headers(String kvKey, byte[] body, boolean notify, boolean delete) {
		Headers headers = WireFormat.headers(nodeId(), notify, delete);
		OriginSigner signer = this.originSigner;
		if (signer != null) {
			signer.sign(headers, kvKey, delete ? CoordinatorAction.DELETE : CoordinatorAction.PUT, body, nodeId(),
					notify);
		}
		return headers;
	}

	/**
	 * Runs a write in an observation whose outcome is its success, a conflict or an error.
	 */
	private <T> T observed(String operation, String key, Headers headers, Supplier<T> write) {
		Observation observation = writeObservation(operation, key, headers);
		if (observation.isNoop()) {
			return write.get();
		}
		CoordinatorWriteContext context = (CoordinatorWriteContext) observation.getContext();
		observation.start();
		try (Observation.Scope scope = observation.openScope()) {
			T result = write.get();
			// delete(key) answers false when there was nothing to delete.
			context.setOutcome((Boolean.FALSE.equals(result)) ? CoordinatorWriteContext.ABSENT
					: CoordinatorWriteContext.SUCCESS);
			return result;
		}
		catch (CoordinatorConflictException ex) {
			// An expected answer to a compare-and-set write, not an error.
			context.setOutcome(CoordinatorWriteContext.CONFLICT);
			throw ex;
		}
		catch (RuntimeException ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	/**
	 * The observation of a write; a no-op one without a registry and for writes marked
	 * {@link UnobservedWrites unobserved}.
	 */
	private Observation writeObservation(String operation, String key, Headers headers) {
		if (UnobservedWrites.isActive()) {
			return Observation.NOOP;
		}
		return CoordinatorObservation.WRITE.observation(this.observationConvention,
				DefaultCoordinatorWriteObservationConvention.INSTANCE,
				() -> new CoordinatorWriteContext(headers, operation, key), this.observationRegistry);
	}

	private CoordinatorConflictException conflict(String key, String kvKey, long expectedRevision) {
		MessageInfo current = reading("Reading key '" + key + "' after a conflicting write",
				() -> this.leader.lastOn(this.subjectPrefix + kvKey));
		OptionalLong revision = (current != null && !isDeletion(current)) ? OptionalLong.of(current.getSeq())
				: OptionalLong.empty();
		return new CoordinatorConflictException(key, "at revision " + expectedRevision, revision);
	}

	private static boolean isDeletion(MessageInfo message) {
		String operation = (message.getHeaders() != null)
				? message.getHeaders().getFirst(WireFormat.KV_OPERATION_HEADER) : null;
		return operation != null && !operation.equals("PUT");
	}

	private static RuntimeException casFailure(String what, String key, RetryException ex) {
		Throwable last = ex.getLastException();
		if (last instanceof ConcurrentWriteException) {
			return new CoordinatorException(what + " key '" + key + "' failed: it was changed concurrently "
					+ DELETE_ATTEMPTS + " times meanwhile");
		}
		return asRuntime(last);
	}

	@Override
	public Optional<CoordinatorEntry> get(String key) {
		String kvKey = KeyCodec.encode(key);
		return reading("Reading key '" + key + "'", () -> {
			KeyValueEntry found = keyValue().get(kvKey);
			long revision = (found != null) ? found.getRevision() : 0;
			if (this.replicated && revision < this.floors.floor(kvKey)) {
				return readFromLeader(key, kvKey);
			}
			return Optional.ofNullable(found).map((entry) -> toEntry(key, entry));
		});
	}

	/**
	 * Returns whether local views are open, which then want every change, silent ones included.
	 * @return whether there are views
	 */
	boolean hasViews() {
		return !this.views.isEmpty();
	}

	/**
	 * Takes a change the reader processed into the local views whose prefix covers it.
	 * @param change the change, silent or not
	 */
	void applyToViews(CoordinatorEvent change) {
		for (LocalView view : this.views) {
			if (view.covers(change.getKey())) {
				view.apply(change);
			}
		}
	}

	/**
	 * Fills every local view anew from a listing, after the log lost revisions they may hold.
	 */
	void refillViews() {
		if (this.views.isEmpty()) {
			return;
		}
		// Read before the listings, so that each of them contains every change up to it
		long listedAt = lastRevisionOfLog();
		for (LocalView view : this.views) {
			view.refill(this, list(view.prefix()), listedAt);
		}
	}

	/**
	 * Tells the local views that every change up to a revision was processed.
	 * @param revision the last revision processed
	 */
	void advanceViews(long revision) {
		for (LocalView view : this.views) {
			view.advance(revision);
		}
	}

	/**
	 * Records a revision of a key that this node received from the log: no later read returns an older one.
	 * @param kvKey the key as stored
	 * @param revision the revision
	 */
	void received(String kvKey, long revision) {
		if (this.replicated) {
			this.floors.raise(kvKey, revision);
		}
	}

	private long written(String kvKey, long revision) {
		received(kvKey, revision);
		return revision;
	}

	/**
	 * Reads a key from the stream's leader, which has applied every acknowledged write.
	 */
	private Optional<CoordinatorEntry> readFromLeader(String key, String kvKey)
			throws IOException, JetStreamApiException {
		MessageInfo info = this.leader.lastOn(this.subjectPrefix + kvKey);
		if (info == null) {
			return Optional.empty();
		}
		if (isDeletion(info)) {
			return Optional.empty();
		}
		byte[] data = info.getData();
		return Optional.of(new CoordinatorEntry(key, (data != null) ? data : new byte[0], info.getSeq(),
				info.getTime().toInstant(), this.jsonCodec));
	}

	@Override
	public boolean delete(String key, boolean notify) {
		String kvKey = KeyCodec.encode(key);
		Headers headers = headers(kvKey, new byte[0], notify, true);
		return observed("delete", key, headers, () -> {
			try {
				return this.compareAndSetRetries.execute(() -> {
					Optional<CoordinatorEntry> current = get(key);
					if (current.isEmpty()) {
						return false;
					}
					// Compare-and-set on the revision read: a concurrent write makes it fail, and it is read again.
					written(kvKey, publish("delete", key, kvKey, headers, new byte[0], current.get().revision()));
					return true;
				});
			}
			catch (RetryException ex) {
				throw casFailure("Deleting", key, ex);
			}
		});
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
		if (this.replicated) {
			// Only a listing with revisions can be checked against what this node wrote or received.
			return list(prefix).stream().map(CoordinatorEntry::key).toList();
		}
		// Not KeyValue.keys(): jnats returns what arrived so far when one message takes longer than the request
		// timeout. The listing's watch (headers only) fails instead.
		String filter = KeyCodec.filter(prefix);
		Collection<KeyValueEntry> latest = listing("Listing keys under '" + prefix + "'",
				(keyValue, timeout) -> latestUnder(filter, keyValue, timeout, KeyValueWatchOption.META_ONLY));
		List<String> keys = new ArrayList<>(latest.size());
		for (KeyValueEntry entry : latest) {
			String key = decodeOrNull(entry.getKey());
			if (key != null && key.startsWith(prefix) && entry.getOperation() == KeyValueOperation.PUT) {
				keys.add(key);
			}
		}
		Collections.sort(keys);
		return keys;
	}

	@Override
	public List<CoordinatorEntry> list(String prefix) {
		List<CoordinatorEntry> entries = listInAnyOrder(prefix);
		entries.sort(Comparator.comparing(CoordinatorEntry::key));
		return entries;
	}

	/**
	 * Lists the entries under a prefix as {@link #list(String)} does, without sorting them: for the replay of the
	 * initial state, which orders them by revision, and for which sorting a million keys by name costs seconds.
	 * @param prefix the key prefix
	 * @return the entries, in no particular order
	 */
	List<CoordinatorEntry> listInAnyOrder(String prefix) {
		String filter = KeyCodec.filter(prefix);
		List<CoordinatorEntry> listed = listing("Listing entries under '" + prefix + "'",
				(keyValue, timeout) -> listOnce(prefix, filter, keyValue, timeout));
		return !this.replicated ? listed
				: reading("Checking the listing under '" + prefix + "' against the stream leader",
						() -> notOlderThanFloors(prefix, listed));
	}

	/**
	 * Lists the entries under a prefix in one attempt whose every request, and every pause of the listing,
	 * waits at most {@code timeout}: for diagnostics that must answer quickly whatever state the server is in.
	 * Unlike {@link #list(String)}, a replica that lags behind the bucket's leader may give an older listing.
	 * @param prefix the key prefix
	 * @param timeout how long each request and each pause of the listing may take
	 * @return the entries, sorted by key
	 * @throws CoordinatorException when the server does not answer in time
	 */
	public List<CoordinatorEntry> list(String prefix, Duration timeout) {
		String filter = KeyCodec.filter(prefix);
		try {
			List<CoordinatorEntry> entries = listOnce(prefix, filter, keyValueWaiting(timeout), timeout);
			entries.sort(Comparator.comparing(CoordinatorEntry::key));
			return entries;
		}
		catch (IOException | JetStreamApiException ex) {
			throw new CoordinatorException("Listing entries under '" + prefix + "' failed: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CoordinatorException("Listing entries under '" + prefix + "' was interrupted", ex);
		}
	}

	/**
	 * Reads the latest revision of every key under a filter with an ordered consumer, until it caught up, and
	 * keeps the stored ones (see {@link #latestUnder}).
	 */
	private List<CoordinatorEntry> listOnce(String prefix, String filter, KeyValue keyValue, Duration timeout)
			throws IOException, JetStreamApiException, InterruptedException {
		Collection<KeyValueEntry> latest = latestUnder(filter, keyValue, timeout);
		List<CoordinatorEntry> entries = new ArrayList<>(latest.size());
		for (KeyValueEntry entry : latest) {
			String key = decodeOrNull(entry.getKey());
			if (key != null && key.startsWith(prefix) && entry.getOperation() == KeyValueOperation.PUT) {
				entries.add(toEntry(key, entry));
			}
		}
		return entries;
	}

	/**
	 * Reads the latest revision of every key under a filter with an ordered consumer, until it caught up (the
	 * watch's end of data), or fails when no entry arrived for {@code timeout}: never part of the keys. The
	 * consumer also passes on writes made while it reads, and may repeat a message when it restarts itself: keep
	 * the latest revision per key; deletes are among them.
	 */
	private Collection<KeyValueEntry> latestUnder(String filter, KeyValue keyValue, Duration timeout,
			KeyValueWatchOption... options) throws IOException, JetStreamApiException, InterruptedException {
		Map<String, KeyValueEntry> latest = new ConcurrentHashMap<>();
		CountDownLatch complete = new CountDownLatch(1);
		AtomicLong lastProgress = new AtomicLong(System.nanoTime());
		NatsKeyValueWatchSubscription subscription = keyValue.watch(filter, new KeyValueWatcher() {

			@Override
			public void watch(KeyValueEntry entry) {
				lastProgress.set(System.nanoTime());
				latest.merge(entry.getKey(), entry,
						(known, next) -> (next.getRevision() > known.getRevision()) ? next : known);
			}

			@Override
			public void endOfData() {
				complete.countDown();
			}

		}, options);
		try {
			// The timeout bounds progress, not the whole listing: a large bucket lists as long as entries arrive.
			while (!complete.await(LISTING_CHECK.toMillis(), TimeUnit.MILLISECONDS)) {
				if (System.nanoTime() - lastProgress.get() > timeout.toNanos()) {
					throw new IOException("the listing received no entry for " + timeout + " after " + latest.size()
							+ " keys");
				}
			}
		}
		finally {
			subscription.unsubscribe();
		}
		return latest.values();
	}

	/**
	 * The consumer behind a listing may read a replica that lags: every entry older than what this node wrote
	 * or received (and every key it knows of that the listing lacks) is read again from the leader.
	 */
	private List<CoordinatorEntry> notOlderThanFloors(String prefix, List<CoordinatorEntry> listed)
			throws IOException, JetStreamApiException {
		Map<String, CoordinatorEntry> byKey = new HashMap<>();
		listed.forEach((entry) -> byKey.put(entry.key(), entry));
		Map<String, Long> known = new HashMap<>();
		this.floors.under(KeyCodec.filter(prefix).replace(">", "").replace("*", "")).forEach((kvKey, floor) -> {
			String key = decodeOrNull(kvKey);
			if (key != null && key.startsWith(prefix)) {
				known.put(key, floor);
			}
		});
		long forgotten = this.floors.forgotten();
		for (CoordinatorEntry entry : listed) {
			known.putIfAbsent(entry.key(), forgotten);
		}
		for (Map.Entry<String, Long> floor : known.entrySet()) {
			CoordinatorEntry entry = byKey.get(floor.getKey());
			long revision = (entry != null) ? entry.revision() : 0;
			if (revision < floor.getValue()) {
				Optional<CoordinatorEntry> current = readFromLeader(floor.getKey(), KeyCodec.encode(floor.getKey()));
				if (current.isPresent()) {
					byKey.put(floor.getKey(), current.get());
				}
				else {
					byKey.remove(floor.getKey());
				}
			}
		}
		return new ArrayList<>(byKey.values());
	}

	/**
	 * Runs a listing as {@link #reading} runs a read, each attempt waiting twice as long as the one before, for
	 * the server's answers and for the listing's progress. Before the first entry, the server creates the
	 * listing's consumer, which takes it time in proportion to the bucket's keys: 4–5 s for 1,000,000 keys on
	 * an idle nats-server 2.9, more on a busy one, so that attempts that all waited the read timeout failed
	 * alike (and left the server creating consumers nobody waited for).
	 */
	private <T> T listing(String what, Listing<T> listing) {
		AtomicInteger attempt = new AtomicInteger();
		return reading(what, () -> {
			int previous = Math.min(attempt.getAndIncrement(), MAX_LISTING_DOUBLINGS);
			if (previous == 0) {
				return listing.run(keyValue(), this.settings.read().timeout());
			}
			Duration timeout = this.settings.read().timeout().multipliedBy(1L << previous);
			return listing.run(keyValueWaiting(timeout), timeout);
		});
	}

	/**
	 * Runs a read, again when it got no answer (reads change nothing, so they can always be repeated).
	 */
	private <T> T reading(String what, Read<T> read) {
		try {
			return this.reads.execute(read::run);
		}
		catch (RetryException ex) {
			Throwable failure = ex.getLastException();
			if (failure instanceof InterruptedException) {
				Thread.currentThread().interrupt();
				throw new CoordinatorException(what + " was interrupted", failure);
			}
			if (failure instanceof IOException) {
				throw new CoordinatorException(what + " failed after " + (ex.getRetryCount() + 1) + " attempts: "
						+ failure.getMessage(), failure);
			}
			throw new CoordinatorException(what + " failed: " + failure.getMessage(), failure);
		}
	}

	@Override
	public CoordinatorView view(String prefix) {
		KeyCodec.requireValidPrefix(prefix);
		LocalView view = new LocalView(prefix, this.views::remove);
		this.views.add(view);
		long listedAt = lastRevisionOfLog();
		view.fill(list(prefix), listedAt);
		return view;
	}

	@Override
	public Registration watch(String prefix, Consumer<CoordinatorEvent> handler) {
		KeyCodec.requireValidPrefix(prefix);
		Objects.requireNonNull(handler, "handler");
		return this.watches.register(prefix, handler);
	}

	/**
	 * Releases every watch registration and the thread that times asynchronous writes out.
	 */
	@Override
	public void destroy() {
		this.views.clear();
		this.watches.clear();
		this.writeTimeouts.close();
	}

	/**
	 * Returns the last revision in the log.
	 * @return the stream's last sequence
	 * @throws CoordinatorException when the server does not answer
	 */
	public long lastRevisionOfLog() {
		return logInfo().getStreamState().getLastSequence();
	}

	/**
	 * Returns the state of the log: its last revision, and when it was created.
	 * @return the stream's info
	 * @throws CoordinatorException when the server does not answer
	 */
	StreamInfo logInfo() {
		return reading("Reading the state of stream '" + this.settings.streamName() + "'",
				() -> this.connection.jetStreamManagement(this.keyValueOptions.getJetStreamOptions())
					.getStreamInfo(this.settings.streamName()));
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
	 * How writes wait before they are sent again: from {@link #FIRST_PAUSE}, doubled up to {@link #MAX_PAUSE},
	 * for as long as the write budget lasts.
	 */
	private RetryPolicy writeRetryPolicy(Predicate<Throwable> retryable) {
		return RetryPolicy.builder()
			.maxRetries(Long.MAX_VALUE)
			.timeout(this.settings.write().budget())
			.delay(FIRST_PAUSE)
			.multiplier(2)
			.maxDelay(MAX_PAUSE)
			.predicate(retryable)
			.build();
	}

	private BackOff writeBackOff() {
		return writeRetryPolicy((failure) -> true).getBackOff();
	}

	/**
	 * Sends a put without waiting. Whatever keeps it from being acknowledged (a timeout, a connection being
	 * re-established, no stream leader) is met by sending it again with backoff until the write budget is
	 * used: it carries the same message id each time, so it is stored once. A refusal by the server ends it.
	 */
	private CompletableFuture<Long> publishAsync(String key, String subject, Headers headers, byte[] body,
			PublishOptions options, int attempt, long deadline, @Nullable BackOffExecution backOff) {
		CompletableFuture<PublishAck> acknowledged;
		try {
			acknowledged = this.writeTimeouts.watch(this.jetStream.publishAsync(subject, headers, body, options));
		}
		catch (IllegalStateException ex) {
			acknowledged = CompletableFuture.failedFuture(ex);
		}
		return acknowledged.thenApply(PublishAck::getSeqno).exceptionallyCompose((failure) -> {
			Throwable cause = rootOf(failure);
			JetStreamApiException refused = refusal(cause);
			if (refused != null) {
				return CompletableFuture.failedFuture(new CoordinatorException("The server refused the put of key '"
						+ key + "': " + refused.getMessage(), refused));
			}
			// Made at the first failure: most writes never need it.
			BackOffExecution pauses = (backOff != null) ? backOff : writeBackOff().start();
			long pause = pauses.nextBackOff();
			if (pause == BackOffExecution.STOP || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) >= deadline) {
				return CompletableFuture.failedFuture(new CoordinatorException("The put of key '" + key
						+ "' was not acknowledged within " + this.settings.write().budget() + " (" + attempt
						+ " attempts), so it may or may not have been stored; read the key to find out. Last failure: "
						+ cause, cause));
			}
			logger.debug("Attempt {} of the put of key '{}' failed ({}); sending it again in {} ms", attempt, key, cause,
					pause);
			Executor later = CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS);
			return CompletableFuture.supplyAsync(() -> null, later)
				.thenCompose((ignored) -> publishAsync(key, subject, headers, body, options, attempt + 1, deadline,
						pauses));
		});
	}

	/**
	 * The server's refusal behind a failure, however the client wrapped it (as the cause of a
	 * {@code RuntimeException}, for asynchronous publishes).
	 */
	private static @Nullable JetStreamApiException refusal(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof JetStreamApiException refused) {
				return refused;
			}
		}
		return null;
	}

	/**
	 * The failure behind the wrappers of completion stages.
	 */
	private static Throwable rootOf(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	/**
	 * Sends a write and waits for its acknowledgement, sending it again (same message id) with backoff within
	 * the write budget while no acknowledgement arrives.
	 */
	private long publish(String operation, String key, String kvKey, Headers headers, byte[] body,
			@Nullable Long expectedRevision) {
		PublishOptions publishOptions = publishOptions(expectedRevision);
		String subject = this.subjectPrefix + kvKey;
		try {
			return this.writes.execute(() -> this.jetStream.publish(subject, headers, body, publishOptions).getSeqno());
		}
		catch (RetryException ex) {
			Throwable failure = ex.getLastException();
			if (failure instanceof JetStreamApiException refused) {
				if (refused.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
					throw new ConcurrentWriteException();
				}
				throw new CoordinatorException("The server refused the " + operation + " of key '" + key + "': "
						+ refused.getMessage(), refused);
			}
			if (failure instanceof IOException && isNoResponders(failure)) {
				throw new CoordinatorException("The " + operation + " of key '" + key + "' was not stored: no JetStream "
						+ "server answered for stream '" + this.settings.streamName() + "' within "
						+ this.settings.write().budget() + " (is a leader being elected, or is JetStream down?)", failure);
			}
			if (failure instanceof IOException) {
				throw new CoordinatorException("The " + operation + " of key '" + key + "' was not acknowledged within "
						+ this.settings.write().budget() + " (" + (ex.getRetryCount() + 1) + " attempts), so it may or "
						+ "may not have been stored; read the key to find out. Last failure: " + failure.getMessage(),
						failure);
			}
			if (failure instanceof InterruptedException) {
				Thread.currentThread().interrupt();
				throw new CoordinatorException("The " + operation + " of key '" + key + "' was interrupted while "
						+ "waiting to be sent again; it may or may not have been stored", failure);
			}
			throw new CoordinatorException("The " + operation + " of key '" + key + "' failed: " + failure.getMessage(),
					failure);
		}
	}

	/**
	 * The client reports a request that no server took (status 503) as an I/O error with that status.
	 */
	private static boolean isNoResponders(Throwable ex) {
		String message = ex.getMessage();
		return message != null && (message.contains("503") || message.contains("No Responders"));
	}

	private static RuntimeException asRuntime(Throwable failure) {
		return (failure instanceof RuntimeException runtime) ? runtime
				: new CoordinatorException(failure.getMessage(), failure);
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

	/**
	 * Returns the bucket with requests that wait another time than the read timeout; binding it reads the
	 * stream's info, so it is made only for reads that need it.
	 */
	private KeyValue keyValueWaiting(Duration timeout) throws IOException {
		return this.connection.keyValue(this.settings.bucketName(),
				KeyValueOptions.builder().jetStreamOptions(jetStreamOptions(timeout)).build());
	}

	/**
	 * Returns the bucket, as set up by {@link #afterPropertiesSet()}.
	 */
	KeyValue keyValue() {
		KeyValue current = this.keyValue;
		if (current == null) {
			throw new IllegalStateException("NatsCoordinator is not initialized: call afterPropertiesSet() first");
		}
		return current;
	}

	private CoordinatorEntry toEntry(String key, KeyValueEntry entry) {
		byte[] value = entry.getValue();
		return new CoordinatorEntry(key, (value != null) ? value : new byte[0], entry.getRevision(),
				entry.getCreated().toInstant(), this.jsonCodec);
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

	/**
	 * A read from the server.
	 */
	@FunctionalInterface
	private interface Read<T> {

		T run() throws IOException, JetStreamApiException, InterruptedException;

	}

	/**
	 * One attempt of a listing, with the bucket and the wait of that attempt.
	 */
	@FunctionalInterface
	private interface Listing<T> {

		T run(KeyValue keyValue, Duration timeout) throws IOException, JetStreamApiException, InterruptedException;

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
