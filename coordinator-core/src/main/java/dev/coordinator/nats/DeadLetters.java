package dev.coordinator.nats;

import java.io.IOException;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records dead letters in the stream {@code <namespace>_dead_letters}, where an operator finds them with
 * {@code nats stream view}. Each is a message on {@code coordinator-dead-letters.<namespace>.<node-id>} whose
 * body is the value (or the raw message) and whose headers say which key, revision and listener it concerns
 * and why. Recording never stops the node: when it fails, the dead letter is only logged.
 */
final class DeadLetters {

	private static final Logger logger = LoggerFactory.getLogger(DeadLetters.class);

	private static final int MAX_REASON_LENGTH = 1024;

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final JetStreamOptions jetStreamOptions;

	private volatile boolean available;

	DeadLetters(Connection connection, NatsCoordinatorSettings settings, JetStreamOptions jetStreamOptions) {
		this.connection = connection;
		this.settings = settings;
		this.jetStreamOptions = jetStreamOptions;
	}

	/**
	 * Creates the dead-letter stream when it is missing.
	 */
	void prepare() {
		if (!this.settings.deadLetters().enabled()) {
			return;
		}
		String stream = this.settings.deadLetterStreamName();
		try {
			JetStreamManagement management = this.connection.jetStreamManagement(this.jetStreamOptions);
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
		try {
			JetStream jetStream = this.connection.jetStream(this.jetStreamOptions);
			jetStream.publish(this.settings.deadLetterSubject(), headers, (body != null) ? body : new byte[0]);
			return true;
		}
		catch (IOException | JetStreamApiException | IllegalStateException ex) {
			logger.warn("Could not record the dead letter of revision {} in '{}': {}", revision,
					this.settings.deadLetterStreamName(), ex.getMessage());
			return false;
		}
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

}
