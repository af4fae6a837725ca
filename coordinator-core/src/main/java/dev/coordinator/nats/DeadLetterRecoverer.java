package dev.coordinator.nats;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListenerFailedEvent;
import dev.coordinator.listener.CoordinatorRecoverer;
import dev.coordinator.listener.FailedListenerCall;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PurgeOptions;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.ApplicationEventPublisher;

/**
 * This node's dead letters: the {@link CoordinatorRecoverer} of the default error handler, and where the event
 * reader records messages that are not changes. Each is a message in the stream
 * {@code <namespace>_dead_letters}, where an operator finds it with {@code nats stream view}, on
 * {@code coordinator-dead-letters.<namespace>.<node-id>}; its body is the value (or the raw message) and its
 * headers say which key, revision and listener it concerns and why. A listener's dead letter is also logged
 * and announced as a {@link CoordinatorListenerFailedEvent}. Recording never stops the node: when it fails,
 * the dead letter is only logged. The newest dead letters of this run are also kept in memory, without their
 * values, for {@link #recent()}.
 */
public class DeadLetterRecoverer implements CoordinatorRecoverer, InitializingBean {

	private static final Logger logger = LoggerFactory.getLogger(DeadLetterRecoverer.class);

	private static final int MAX_REASON_LENGTH = 1024;

	/** Dead letters kept in memory for {@link #recent()}. */
	private static final int RECENT = 20;

	/** Bytes of the protocol line around a message, beside its headers and body. */
	private static final int ENVELOPE_ALLOWANCE = 256;

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final ApplicationEventPublisher publisher;

	private final String subjectPrefix;

	private final LongAdder recovered = new LongAdder();

	/** Keys this node recorded dead letters for since it started. */
	private final Set<String> keysWithDeadLetters = ConcurrentHashMap.newKeySet();

	/** The newest dead letters of this run, newest first; guarded by itself. */
	private final Deque<DeadLetter> recent = new ArrayDeque<>();

	private volatile boolean available;

	/**
	 * Creates a recoverer; call {@link #afterPropertiesSet()} before using it (Spring does).
	 * @param connection the NATS connection
	 * @param settings the coordinator's settings
	 * @param publisher where {@link CoordinatorListenerFailedEvent}s are published
	 */
	public DeadLetterRecoverer(Connection connection, NatsCoordinatorSettings settings,
			ApplicationEventPublisher publisher) {
		this.connection = connection;
		this.settings = settings;
		this.publisher = publisher;
		this.subjectPrefix = "$KV." + settings.bucketName() + ".";
	}

	/**
	 * Returns how many listener calls were given up and recorded.
	 * @return the count
	 */
	public long recovered() {
		return this.recovered.sum();
	}

	/**
	 * Returns the newest dead letters of this node since it started (at most 20), newest first, whether or
	 * not the stream could record them. They hold no values, and those of a key are forgotten when it is
	 * deleted, as in the stream.
	 * @return the dead letters
	 */
	public List<DeadLetter> recent() {
		synchronized (this.recent) {
			return List.copyOf(this.recent);
		}
	}

	@Override
	public void recover(FailedListenerCall call, Throwable lastFailure, int attempts) {
		this.recovered.increment();
		CoordinatorEvent event = call.getEvent();
		logger.error("{} failed after {} attempt(s); the event is recorded as a dead letter in '{}' and the other "
				+ "listeners still receive it. Fix the listener and replay the dead letter if needed.", call, attempts,
				this.settings.deadLetterStreamName(), lastFailure);
		record(this.subjectPrefix + KeyCodec.encode(event.getKey()), event.getRevision(), call.getListenerId(),
				lastFailure.toString(), event.getValue());
		try {
			this.publisher.publishEvent(new CoordinatorListenerFailedEvent(event, call.getListenerId(), attempts,
					lastFailure));
		}
		catch (Throwable ex) {
			logger.error("A listener of CoordinatorListenerFailedEvent threw; delivery goes on", ex);
		}
	}

	/**
	 * Creates the dead-letter stream when it is missing.
	 */
	@Override
	public void afterPropertiesSet() {
		if (!this.settings.deadLetters().enabled()) {
			return;
		}
		String stream = this.settings.deadLetterStreamName();
		try {
			JetStreamManagement management = this.connection.jetStreamManagement(NatsCoordinator.jetStreamOptions(this.settings.write().timeout()));
			try {
				management.getStreamInfo(stream);
			}
			catch (JetStreamApiException ex) {
				if (ex.getApiErrorCode() != 10059) {
					throw ex;
				}
				management.addStream(StreamConfiguration.builder()
					.name(stream)
					.description("Events coordinator listeners failed on, and messages that are not changes")
					.subjects("coordinator-dead-letters." + this.settings.namespace() + ".>")
					.retentionPolicy(RetentionPolicy.Limits)
					.maxAge(this.settings.deadLetters().maxAge())
					.maxMessages(this.settings.deadLetters().maxMessages())
					.maxBytes(this.settings.deadLetters().maxBytes())
					.discardPolicy(DiscardPolicy.Old)
					.storageType(this.settings.bucket().storage())
					.replicas(this.settings.bucket().replicas())
					.build());
			}
			this.available = true;
		}
		catch (IOException | JetStreamApiException ex) {
			logger.warn("Dead-letter stream '{}' cannot be used ({}); dead letters are only logged", stream,
					ex.getMessage());
		}
	}

	/**
	 * Records a dead letter.
	 * @param subject the subject of the message in the bucket's stream
	 * @param revision its revision
	 * @param listener the listener that failed, or {@code null} for a message that is not a change
	 * @param reason why
	 * @param body the value or raw message
	 * @return whether it was recorded
	 */
	boolean record(String subject, long revision, @Nullable String listener, String reason, byte @Nullable [] body) {
		String kvKey = subject.startsWith(this.subjectPrefix) ? subject.substring(this.subjectPrefix.length()) : null;
		remember(new DeadLetter(keyOf(subject, kvKey), revision, listener, truncated(reason), Instant.now()));
		if (!this.available) {
			return false;
		}
		Headers headers = new Headers();
		headers.put("Coordinator-Subject", printable(subject));
		headers.put("Coordinator-Revision", Long.toString(revision));
		headers.put("Coordinator-Node", this.settings.nodeId());
		if (listener != null) {
			headers.put("Coordinator-Listener", printable(listener));
		}
		headers.put("Coordinator-Reason", printable(reason));
		byte[] payload = (body != null) ? body : new byte[0];
		if (payload.length + headers.serializedLength() + ENVELOPE_ALLOWANCE > this.connection.getMaxPayload()) {
			// The server closes a connection that sends more than its max_payload: record the reference alone.
			headers.put("Coordinator-Value-Omitted", payload.length + " bytes, too large for a dead letter with its headers");
			payload = new byte[0];
		}
		try {
			JetStream jetStream = this.connection.jetStream(NatsCoordinator.jetStreamOptions(this.settings.write().timeout()));
			jetStream.publish(deadLetterSubject(kvKey), headers, payload);
			if (kvKey != null) {
				this.keysWithDeadLetters.add(kvKey);
			}
			return true;
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not record the dead letter of revision {} in '{}': {}", revision,
					this.settings.deadLetterStreamName(), ex.getMessage());
			return false;
		}
	}

	/**
	 * Removes the dead letters this node recorded for a key since it started, once the key is deleted: they
	 * hold its values, which must not outlive it. (Dead letters of earlier runs of the node expire with
	 * {@code coordinator.dead-letters.max-age}.)
	 * @param kvKey the deleted key, as stored
	 */
	void keyDeleted(String kvKey) {
		synchronized (this.recent) {
			if (!this.recent.isEmpty()) {
				String key = keyOf(this.subjectPrefix + kvKey, kvKey);
				this.recent.removeIf((deadLetter) -> deadLetter.key().equals(key));
			}
		}
		if (!this.keysWithDeadLetters.remove(kvKey)) {
			return;
		}
		try {
			this.connection.jetStreamManagement(NatsCoordinator.jetStreamOptions(this.settings.write().timeout()))
				.purgeStream(this.settings.deadLetterStreamName(), PurgeOptions.subject(deadLetterSubject(kvKey)));
		}
		catch (IOException | JetStreamApiException ex) {
			logger.warn("Could not remove the dead letters of deleted key '{}' from '{}': {}", printable(kvKey),
					this.settings.deadLetterStreamName(), ex.getMessage());
		}
	}

	private void remember(DeadLetter deadLetter) {
		synchronized (this.recent) {
			this.recent.addFirst(deadLetter);
			if (this.recent.size() > RECENT) {
				this.recent.removeLast();
			}
		}
	}

	/**
	 * The key of a change, or the subject of a message that is not on a key.
	 */
	private static String keyOf(String subject, @Nullable String kvKey) {
		if (kvKey != null) {
			try {
				return KeyCodec.decode(kvKey);
			}
			catch (IllegalArgumentException ex) {
				// Not a key: the subject says where the message was.
			}
		}
		return subject;
	}

	private static String truncated(String text) {
		return (text.length() > MAX_REASON_LENGTH) ? text.substring(0, MAX_REASON_LENGTH) : text;
	}

	/**
	 * One subject per node and key, so that the dead letters of a key can be removed with it.
	 */
	private String deadLetterSubject(@Nullable String kvKey) {
		return this.settings.deadLetterSubject() + "." + ((kvKey != null && !kvKey.isEmpty()) ? kvKey : "_");
	}

	/**
	 * Header values are one line of printable ASCII.
	 */
	private static String printable(String text) {
		StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_REASON_LENGTH));
		for (int i = 0; i < text.length() && out.length() < MAX_REASON_LENGTH; i++) {
			char c = text.charAt(i);
			out.append((c >= 0x20 && c < 0x7F) ? c : '?');
		}
		return out.toString();
	}

	/**
	 * A dead letter as this node recorded it, without the value.
	 *
	 * @param key the key of the change, or the subject of a message that is not a change
	 * @param revision the revision of the change or message
	 * @param listener the id of the listener that failed, or {@code null} for a message that is not a change
	 * @param reason the last failure ({@code Throwable.toString()}, no stack trace) or what is wrong with the
	 * message
	 * @param recordedAt when this node gave it up
	 */
	public record DeadLetter(String key, long revision, @Nullable String listener, String reason, Instant recordedAt) {
	}

}
