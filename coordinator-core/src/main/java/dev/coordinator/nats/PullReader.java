package dev.coordinator.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.JetStreamOptions;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.support.Status;
import org.jspecify.annotations.Nullable;

/**
 * One subscription to this node's durable consumer, and the pull requests that keep messages flowing to it.
 *
 * <p>The reader keeps a pull alive by its own clock: every pull expires after {@link #EXPIRY}, and a new one is
 * sent when the last one expired, when what was asked for has nearly arrived, or when told that the connection
 * was re-established. A pull lost with a server, refused, or answered by a status is thus replaced within one
 * expiry, whatever the server or the client library did with it. Used on the reader thread only.
 *
 * <p>The pulls are JetStream's own requests ({@code CONSUMER.MSG.NEXT}) sent to a plain subscription's inbox,
 * not a jnats pull subscription: that one reads every delivery's reply subject into its metadata and looks
 * through its headers for a pin, about two fifths of the reader thread's time with pipelined writes, for
 * bookkeeping this reader keeps itself ({@link Delivery}).
 */
final class PullReader implements AutoCloseable {

	/** How long a pull request waits at the server for messages. */
	static final Duration EXPIRY = Duration.ofSeconds(5);

	private final Subscription subscription;

	private final Connection connection;

	private final String nextSubject;

	private final String inbox;

	private final byte[] request;

	private final int batchSize;

	/** Messages asked for and not yet received, while the last pull has not expired. */
	private int outstanding;

	/** When the last pull expires, by {@link System#nanoTime()}. */
	private long expiresAt;

	PullReader(Connection connection, JetStreamOptions options, String stream, String durable, int batchSize) {
		this.connection = connection;
		this.nextSubject = options.getPrefix() + "CONSUMER.MSG.NEXT." + stream + "." + durable;
		this.inbox = connection.createInbox();
		this.subscription = connection.subscribe(this.inbox);
		this.request = ("{\"batch\":" + batchSize + ",\"expires\":" + EXPIRY.toNanos() + "}")
			.getBytes(StandardCharsets.US_ASCII);
		this.batchSize = batchSize;
	}

	/**
	 * Returns the next message, pulling more first when needed.
	 * @param wait how long to wait for one
	 * @return the message, or {@code null} when none arrived in time
	 * @throws IOException when the server ended a pull with an error (the consumer was deleted)
	 * @throws IllegalStateException when the subscription is no longer usable
	 */
	@Nullable Message next(Duration wait) throws InterruptedException, IOException {
		long now = System.nanoTime();
		if (now - this.expiresAt >= 0) {
			this.outstanding = 0;
		}
		if (this.outstanding <= this.batchSize / 4) {
			pull(now);
		}
		long untilExpiry = Math.max(1, (this.expiresAt - now) / 1_000_000);
		Message message = delivery(this.subscription.nextMessage(Duration.ofMillis(Math.min(wait.toMillis(), untilExpiry))));
		if (message != null) {
			this.outstanding = Math.max(0, this.outstanding - 1);
		}
		return message;
	}

	/**
	 * Returns the next message already on its way, without pulling more (when stopping).
	 * @param wait how long to wait for one
	 * @return the message, or {@code null} when none arrived in time
	 * @throws IOException when the server ended a pull with an error (the consumer was deleted)
	 */
	@Nullable Message nextReceived(Duration wait) throws InterruptedException, IOException {
		return delivery(this.subscription.nextMessage(wait));
	}

	/**
	 * Makes the next call pull anew: pull requests do not survive a server restart.
	 */
	void pullAgain() {
		this.outstanding = 0;
		this.expiresAt = System.nanoTime();
	}

	private void pull(long now) {
		this.connection.publish(this.nextSubject, this.inbox, this.request);
		this.outstanding += this.batchSize;
		this.expiresAt = now + EXPIRY.toNanos();
	}

	/**
	 * Passes a delivery on and leaves out the statuses the server answers a pull with, as a jnats pull
	 * subscription does: those that end a pull (no messages, the request expired or is over, no JetStream
	 * responders, a leader change, a limit exceeded), which the reader's own clock replaces, and heartbeats.
	 * The others (the consumer deleted or push based, a conflict this reader does not know) end the read.
	 */
	private static @Nullable Message delivery(@Nullable Message message) throws IOException {
		if (message == null || !message.isStatusMessage()) {
			return message;
		}
		Status status = message.getStatus();
		int code = status.getCode();
		if (code == Status.FLOW_OR_HEARTBEAT_STATUS_CODE || code == Status.NOT_FOUND_CODE
				|| code == Status.BAD_JS_REQUEST_CODE || code == Status.PIN_ERROR_CODE
				|| code == Status.NO_RESPONDERS_CODE) {
			return null;
		}
		String text = status.getMessage();
		if (code == Status.CONFLICT_CODE && text != null && (text.startsWith(Status.EXCEEDED_MAX_PREFIX)
				|| text.equals(Status.SERVER_SHUTDOWN) || text.equals(Status.BATCH_COMPLETED)
				|| text.equals(Status.LEADERSHIP_CHANGE) || text.equals(Status.MESSAGE_SIZE_EXCEEDS_MAX_BYTES))) {
			return null;
		}
		throw new IOException("The server ended a pull with status " + code + " " + text);
	}

	/**
	 * Ends the subscription; messages still on their way to it are dropped and delivered again by the server.
	 */
	@Override
	public void close() {
		try {
			this.subscription.unsubscribe();
		}
		catch (IllegalStateException ex) {
			// Already inactive: the connection was closed.
		}
	}

}
