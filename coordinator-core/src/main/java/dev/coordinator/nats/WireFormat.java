package dev.coordinator.nats;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.observation.CoordinatorWriteContext;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import org.jspecify.annotations.Nullable;

/**
 * How changes are written to, and read from, the bucket's stream. Documented for other clients in
 * {@code docs/wire-format.md}; a change to anything here is a change of {@link #VERSION}.
 */
final class WireFormat {

	/** Version of this format, sent in {@link #FORMAT_HEADER}. */
	static final String VERSION = "1";

	/** Header with the format version; a message without it is read as version 1. */
	static final String FORMAT_HEADER = "Coordinator-Format";

	/** Header with the id of the node that wrote the change. */
	static final String ORIGIN_HEADER = "Coordinator-Origin";

	/** Header that, when {@code false}, stores a change without notifying listeners. */
	static final String NOTIFY_HEADER = "Coordinator-Notify";

	/** The KV header that marks deletes ({@code DEL}) and purges ({@code PURGE}). */
	static final String KV_OPERATION_HEADER = "KV-Operation";

	private WireFormat() {
	}

	static Headers headers(String origin, boolean notify, boolean delete) {
		Headers headers = new Headers();
		headers.put(FORMAT_HEADER, VERSION);
		headers.put(ORIGIN_HEADER, origin);
		if (!notify) {
			headers.put(NOTIFY_HEADER, "false");
		}
		if (delete) {
			headers.put(KV_OPERATION_HEADER, "DEL");
		}
		return headers;
	}

	/**
	 * Reads a message of the bucket's stream.
	 * @param message the message
	 * @param subjectPrefix {@code $KV.<bucket>.}
	 * @return the change it carries
	 * @throws MalformedMessageException when the message is not a change in this format
	 */
	static Change read(Message message, String subjectPrefix) {
		NatsJetStreamMetaData meta = message.metaData();
		long revision = meta.streamSequence();
		String subject = message.getSubject();
		if (!subject.startsWith(subjectPrefix)) {
			throw new MalformedMessageException(revision, "subject '" + subject + "' is not in the bucket");
		}
		String key;
		try {
			key = KeyCodec.decode(subject.substring(subjectPrefix.length()));
		}
		catch (IllegalArgumentException ex) {
			throw new MalformedMessageException(revision, ex.getMessage());
		}
		Headers headers = message.getHeaders();
		String format = header(headers, FORMAT_HEADER);
		if (format != null && !VERSION.equals(format)) {
			throw new MalformedMessageException(revision, "key '" + key + "' was written in format version '" + format
					+ "', this node reads version " + VERSION + "; upgrade this node");
		}
		String notify = header(headers, NOTIFY_HEADER);
		if (notify != null && !notify.equals("true") && !notify.equals("false")) {
			throw new MalformedMessageException(revision, "key '" + key + "' has " + NOTIFY_HEADER + " '" + notify
					+ "', expected 'true' or 'false'");
		}
		String operation = header(headers, KV_OPERATION_HEADER);
		CoordinatorAction action;
		if (operation == null) {
			action = CoordinatorAction.PUT;
		}
		else if (operation.equals("DEL") || operation.equals("PURGE")) {
			action = CoordinatorAction.DELETE;
		}
		else {
			throw new MalformedMessageException(revision, "key '" + key + "' has " + KV_OPERATION_HEADER + " '"
					+ operation + "', expected DEL or PURGE");
		}
		byte[] data = message.getData();
		byte[] value = (action == CoordinatorAction.PUT) ? ((data != null) ? data : new byte[0]) : null;
		Instant writtenAt = meta.timestamp().toInstant();
		return new Change(key, action, value, revision, header(headers, ORIGIN_HEADER), writtenAt,
				!"false".equals(notify), traceHeaders(headers));
	}

	/**
	 * The trace context the writer sent ({@code traceparent}, {@code tracestate}); other headers are not kept.
	 */
	private static Map<String, String> traceHeaders(@Nullable Headers headers) {
		Map<String, String> trace = null;
		for (String name : CoordinatorWriteContext.TRACE_HEADERS) {
			String value = header(headers, name);
			if (value != null) {
				if (trace == null) {
					trace = new HashMap<>(2);
				}
				trace.put(name, value);
			}
		}
		return (trace != null) ? trace : Map.of();
	}

	private static @Nullable String header(@Nullable Headers headers, String name) {
		return (headers != null) ? headers.getFirst(name) : null;
	}

	/**
	 * A change read from the stream.
	 *
	 * @param key the coordinator key
	 * @param action what happened
	 * @param value the value of a PUT, {@code null} for a DELETE
	 * @param revision the stream sequence
	 * @param origin the writing node, {@code null} for other programs
	 * @param writtenAt when the server stored it
	 * @param notifyListeners whether listeners are to be notified
	 * @param traceHeaders the writer's trace context, by header name; empty when it sent none
	 */
	record Change(String key, CoordinatorAction action, byte @Nullable [] value, long revision,
			@Nullable String origin, Instant writtenAt, boolean notifyListeners, Map<String, String> traceHeaders) {
	}

	/**
	 * A message of the bucket's stream that is not a change in this format.
	 */
	static final class MalformedMessageException extends IllegalArgumentException {

		private final long revision;

		MalformedMessageException(long revision, String reason) {
			super(reason);
			this.revision = revision;
		}

		long revision() {
			return this.revision;
		}

	}

}
