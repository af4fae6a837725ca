package dev.coordinator.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import org.jspecify.annotations.Nullable;

/**
 * Reads single messages of the bucket's stream from the stream's leader ({@code STREAM.MSG.GET}), which has
 * applied every acknowledged write. jnats's {@code getMessage} and {@code getLastMessage} use direct gets when
 * the stream allows them, as KV buckets do, and any replica answers those, also one that lags.
 */
final class LeaderReads {

	private static final int NO_MESSAGE_FOUND = 10037;

	private final Connection connection;

	private final String stream;

	private final Duration timeout;

	LeaderReads(Connection connection, String stream, Duration timeout) {
		this.connection = connection;
		this.stream = stream;
		this.timeout = timeout;
	}

	/**
	 * Returns the message at a revision.
	 * @param revision the revision
	 * @return the message, or {@code null} when the stream holds none there
	 */
	@Nullable MessageInfo at(long revision) throws IOException, JetStreamApiException {
		return get("{\"seq\":" + revision + "}");
	}

	/**
	 * Returns the last message on a subject.
	 * @param subject the subject
	 * @return the message, or {@code null} when the stream holds none on it
	 */
	@Nullable MessageInfo lastOn(String subject) throws IOException, JetStreamApiException {
		return get("{\"last_by_subj\":\"" + subject + "\"}");
	}

	private @Nullable MessageInfo get(String request) throws IOException, JetStreamApiException {
		Message reply;
		try {
			reply = this.connection.request("$JS.API.STREAM.MSG.GET." + this.stream,
					request.getBytes(StandardCharsets.UTF_8), this.timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while reading from the leader of stream '" + this.stream + "'", ex);
		}
		if (reply == null) {
			throw new IOException("the leader of stream '" + this.stream + "' did not answer within " + this.timeout);
		}
		MessageInfo info = new MessageInfo(reply, this.stream, false);
		if (info.hasError()) {
			if (info.getApiErrorCode() == NO_MESSAGE_FOUND) {
				return null;
			}
			info.throwOnHasError();
		}
		return info;
	}

}
