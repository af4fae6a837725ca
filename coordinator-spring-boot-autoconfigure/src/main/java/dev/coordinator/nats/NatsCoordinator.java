package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorException;
import dev.coordinator.Registration;
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
import io.nats.client.api.KeyValueWatchOption;
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
public class NatsCoordinator implements Coordinator, SmartLifecycle, InitializingBean, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(NatsCoordinator.class);

	private static final int WRONG_LAST_SEQUENCE = 10071;

	/** Bytes reserved for the headers of a write when checking a value against the server's payload limit. */
	private static final int HEADER_ALLOWANCE = 512;

	private static final int DELETE_ATTEMPTS = 16;

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final ApplicationEventPublisher publisher;

	private final JetStream jetStream;

	private final KeyValueOptions keyValueOptions;

	private final String subjectPrefix;

	private final WatchRegistry watches = new WatchRegistry();

	private final EventLogConsumer consumer;

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
		this.consumer = new EventLogConsumer(connection, settings, jetStreamOptions, this::process);
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

	@Override
	public long put(String key, byte[] value, boolean notify) {
		String kvKey = encodeWrite(key, value);
		return publish("put", key, kvKey, WireFormat.headers(nodeId(), notify, false), value, null);
	}

	@Override
	public CompletableFuture<Long> putAsync(String key, byte[] value) {
		String kvKey = encodeWrite(key, value);
		return publishAsync(key, this.subjectPrefix + kvKey, WireFormat.headers(nodeId(), true, false), value,
				publishOptions(null), 1);
	}

	@Override
	public Optional<CoordinatorEntry> get(String key) {
		String kvKey = KeyCodec.encode(key);
		try {
			KeyValueEntry entry = keyValue().get(kvKey);
			return Optional.ofNullable(entry).map((found) -> toEntry(key, found));
		}
		catch (IOException | JetStreamApiException | IllegalStateException ex) {
			throw new CoordinatorException("Reading key '" + key + "' failed: " + ex.getMessage(), ex);
		}
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
		List<String> kvKeys;
		try {
			kvKeys = keyValue().keys(filter);
		}
		catch (IOException | JetStreamApiException | IllegalStateException ex) {
			throw new CoordinatorException("Listing keys under '" + prefix + "' failed: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CoordinatorException("Listing keys under '" + prefix + "' was interrupted", ex);
		}
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
		List<CoordinatorEntry> entries = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch complete = new CountDownLatch(1);
		KeyValueWatcher collector = new KeyValueWatcher() {

			@Override
			public void watch(KeyValueEntry entry) {
				String key = decodeOrNull(entry.getKey());
				if (key != null && key.startsWith(prefix)) {
					entries.add(toEntry(key, entry));
				}
			}

			@Override
			public void endOfData() {
				complete.countDown();
			}

		};
		Duration timeout = this.settings.writes().timeout();
		NatsKeyValueWatchSubscription subscription = null;
		try {
			subscription = keyValue().watch(filter, collector, KeyValueWatchOption.IGNORE_DELETE);
			if (!complete.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new CoordinatorException("Listing entries under '" + prefix + "' did not complete within " + timeout);
			}
		}
		catch (IOException | JetStreamApiException | IllegalStateException ex) {
			throw new CoordinatorException("Listing entries under '" + prefix + "' failed: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CoordinatorException("Listing entries under '" + prefix + "' was interrupted", ex);
		}
		finally {
			if (subscription != null) {
				subscription.unsubscribe();
			}
		}
		List<CoordinatorEntry> sorted = new ArrayList<>(entries);
		sorted.sort(Comparator.comparing(CoordinatorEntry::key));
		return sorted;
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

	private boolean process(Message message) {
		WireFormat.Change change;
		try {
			change = WireFormat.read(message, this.subjectPrefix);
		}
		catch (WireFormat.MalformedMessageException ex) {
			logger.warn("Skipping revision {} of stream '{}': {}. It is not a coordinator change and is not delivered "
					+ "again.", ex.revision(), this.settings.streamName(), ex.getMessage());
			return false;
		}
		if (!change.notifyListeners()) {
			return true;
		}
		CoordinatorEvent event = new CoordinatorEvent(this, change.key(), change.action(), change.value(),
				change.revision(), change.origin(), change.writtenAt(), nodeId().equals(change.origin()));
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logFailure("A listener", event, ex);
		}
		for (WatchRegistry.Watch watch : this.watches.matching(event.getKey())) {
			try {
				watch.deliver(event);
			}
			catch (RuntimeException | LinkageError | AssertionError ex) {
				logFailure("The watch handler of prefix '" + watch.prefix() + "'", event, ex);
			}
		}
		return true;
	}

	private static void logFailure(String who, CoordinatorEvent event, Throwable ex) {
		logger.error("{} failed for {} of key '{}' at revision {}; the event is acknowledged and other listeners "
				+ "still receive it. Fix the listener or catch the exception in it.", who, event.getAction(),
				event.getKey(), event.getRevision(), ex);
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
	 * it once, and optionally the revision the key must still have.
	 */
	private PublishOptions publishOptions(@Nullable Long expectedRevision) {
		PublishOptions.Builder options = PublishOptions.builder()
			.expectedStream(this.settings.streamName())
			.messageId(NUID.nextGlobal());
		if (expectedRevision != null) {
			options.expectedLastSubjectSequence(expectedRevision);
		}
		return options.build();
	}

	private CompletableFuture<Long> publishAsync(String key, String subject, Headers headers, byte[] body,
			PublishOptions options, int attempt) {
		CompletableFuture<PublishAck> acknowledged;
		try {
			acknowledged = this.jetStream.publishAsync(subject, headers, body, options);
		}
		catch (IllegalStateException ex) {
			return CompletableFuture.failedFuture(new CoordinatorException("The put of key '" + key + "' failed: "
					+ ex.getMessage(), ex));
		}
		return acknowledged.thenApply(PublishAck::getSeqno).exceptionallyCompose((failure) -> {
			Throwable cause = (failure instanceof CompletionException && failure.getCause() != null)
					? failure.getCause() : failure;
			if (cause instanceof JetStreamApiException refused) {
				return CompletableFuture.failedFuture(new CoordinatorException("The server refused the put of key '"
						+ key + "': " + refused.getMessage(), refused));
			}
			if (attempt < this.settings.writes().attempts()) {
				return publishAsync(key, subject, headers, body, options, attempt + 1);
			}
			return CompletableFuture.failedFuture(new CoordinatorException("The put of key '" + key
					+ "' was not acknowledged after " + attempt + " attempts, so it may or may not have been stored; "
					+ "read the key to find out. Last failure: " + cause.getMessage(), cause));
		});
	}

	private long publish(String operation, String key, String kvKey, Headers headers, byte[] body,
			@Nullable Long expectedRevision) {
		PublishOptions publishOptions = publishOptions(expectedRevision);
		String subject = this.subjectPrefix + kvKey;
		int attempts = this.settings.writes().attempts();
		IOException lastFailure = null;
		for (int attempt = 1; attempt <= attempts; attempt++) {
			try {
				PublishAck ack = this.jetStream.publish(subject, headers, body, publishOptions);
				return ack.getSeqno();
			}
			catch (IOException ex) {
				lastFailure = ex;
				logger.debug("Attempt {} of {} of key '{}' got no acknowledgement: {}", attempt, operation, key,
						ex.getMessage());
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

	/**
	 * The key was written since it was read.
	 */
	private static final class ConcurrentWriteException extends RuntimeException {

		ConcurrentWriteException() {
			super(null, null, false, false);
		}

	}

}
