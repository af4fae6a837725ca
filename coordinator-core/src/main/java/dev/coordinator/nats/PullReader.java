package dev.coordinator.nats;

import java.io.IOException;
import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullRequestOptions;
import io.nats.client.PullSubscribeOptions;
import org.jspecify.annotations.Nullable;

/**
 * One subscription to this node's durable consumer, and the pull requests that keep messages flowing to it.
 *
 * <p>The reader keeps a pull alive by its own clock: every pull expires after {@link #EXPIRY}, and a new one is
 * sent when the last one expired, when what was asked for has nearly arrived, or when told that the connection
 * was re-established. A pull lost with a server, refused, or answered by a status is thus replaced within one
 * expiry, whatever the server or the client library did with it. Used on the reader thread only.
 */
final class PullReader implements AutoCloseable {

	/** How long a pull request waits at the server for messages. */
	static final Duration EXPIRY = Duration.ofSeconds(5);

	private final JetStreamSubscription subscription;

	private final int batchSize;

	/** Messages asked for and not yet received, while the last pull has not expired. */
	private int outstanding;

	/** When the last pull expires, by {@link System#nanoTime()}. */
	private long expiresAt;

	PullReader(Connection connection, JetStreamOptions options, String stream, String durable, int batchSize)
			throws IOException, JetStreamApiException {
		this.subscription = connection.jetStream(options).subscribe(null, PullSubscribeOptions.fastBind(stream, durable));
		this.batchSize = batchSize;
	}

	/**
	 * Returns the next message, pulling more first when needed.
	 * @param wait how long to wait for one
	 * @return the message, or {@code null} when none arrived in time
	 * @throws IllegalStateException when the subscription is no longer usable
	 */
	@Nullable Message next(Duration wait) throws InterruptedException {
		long now = System.nanoTime();
		if (now - this.expiresAt >= 0) {
			this.outstanding = 0;
		}
		if (this.outstanding <= this.batchSize / 4) {
			pull(now);
		}
		long untilExpiry = Math.max(1, (this.expiresAt - now) / 1_000_000);
		Message message = this.subscription.nextMessage(Math.min(wait.toMillis(), untilExpiry));
		if (message != null) {
			this.outstanding = Math.max(0, this.outstanding - 1);
		}
		return message;
	}

	/**
	 * Returns the next message already on its way, without pulling more (when stopping).
	 * @param wait how long to wait for one
	 * @return the message, or {@code null} when none arrived in time
	 */
	@Nullable Message nextReceived(Duration wait) throws InterruptedException {
		return this.subscription.nextMessage(wait);
	}

	/**
	 * Makes the next call pull anew: pull requests do not survive a server restart.
	 */
	void pullAgain() {
		this.outstanding = 0;
		this.expiresAt = System.nanoTime();
	}

	private void pull(long now) {
		this.subscription.pull(PullRequestOptions.builder(this.batchSize).expiresIn(EXPIRY).build());
		this.outstanding += this.batchSize;
		this.expiresAt = now + EXPIRY.toNanos();
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
