package dev.coordinator.nats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.observation.CoordinatorWriteContext;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
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

	/**
	 * Header with the writer's signature of the change, when it signs ({@code coordinator.origin.sign}):
	 * base64url without padding of the Ed25519 signature of {@link #signedBytes}.
	 */
	static final String SIGNATURE_HEADER = "Coordinator-Signature";

	/** First line of the bytes a signature covers: what they are, and their version. */
	static final String SIGNATURE_VERSION = "Coordinator-Signature/1";

	/** The KV header that marks deletes ({@code DEL}) and purges ({@code PURGE}). */
	static final String KV_OPERATION_HEADER = "KV-Operation";

	/** Longest value of a header this format reads; a node id has at most 64 characters. */
	static final int MAX_HEADER_LENGTH = 128;

	/** Longest trace header kept: the W3C limit of {@code tracestate}. */
	static final int MAX_TRACE_HEADER_LENGTH = 512;

	private WireFormat() {
	}

	/**
	 * Returns the headers of a write. No {@value #FORMAT_HEADER}: absent means version {@value #VERSION}, and
	 * every header is parsed again by every reader of every change (the client's header parsing was the largest
	 * cost of a delivery to a node in the fan-out benchmarks).
	 */
	static Headers headers(String origin, boolean notify, boolean delete) {
		Headers headers = new Headers();
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
	 * Returns the bytes a signature covers: everything about a change that does not depend on its revision, so
	 * that a writer can sign before the server stores it. Lines separated by {@code \n}, all ASCII: the signature
	 * version, the KV key (as the subject carries it), {@code PUT} or {@code DELETE}, the lower-case hex SHA-256 of
	 * the message body (of nothing, for a delete), the origin and {@code true}/{@code false} for notify.
	 * @param kvKey the key as stored
	 * @param action what the change does
	 * @param body the message body
	 * @param origin the writing node's id
	 * @param notify whether listeners are notified
	 * @return the bytes to sign or verify
	 */
	static byte[] signedBytes(String kvKey, CoordinatorAction action, byte[] body, String origin, boolean notify) {
		String text = SIGNATURE_VERSION + "\n" + kvKey + "\n" + action.name() + "\n" + sha256(body) + "\n" + origin
				+ "\n" + notify;
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String sha256(byte[] body) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java runtime has SHA-256", ex);
		}
	}

	/**
	 * Reads what a message of the bucket's stream holds. Anyone allowed to write the bucket chooses the subject,
	 * headers and body, so nothing here trusts them: the result is a change whose key is the one the subject
	 * encodes, or a {@link MalformedMessageException}, never another exception.
	 * @param subject the message's subject
	 * @param headers its headers, if any
	 * @param data its body, if any
	 * @param revision its stream sequence
	 * @param writtenAt when the server stored it
	 * @param subjectPrefix {@code $KV.<bucket>.}
	 * @return the change it carries
	 * @throws MalformedMessageException when the message is not a change in this format
	 */
	static Change read(String subject, @Nullable Headers headers, byte @Nullable [] data, long revision,
			Instant writtenAt, String subjectPrefix) {
		if (!subject.startsWith(subjectPrefix)) {
			throw new MalformedMessageException(revision, "subject '" + shown(subject) + "' is not in the bucket");
		}
		String key;
		try {
			key = KeyCodec.decode(subject.substring(subjectPrefix.length()));
		}
		catch (IllegalArgumentException ex) {
			throw new MalformedMessageException(revision, ex.getMessage());
		}
		Read read = new Read(key, revision);
		if (headers != null && !headers.isEmpty()) {
			headers.forEach(read::header);
		}
		String format = read.format;
		if (format != null && !VERSION.equals(format)) {
			throw new MalformedMessageException(revision, "key '" + key + "' was written in format version '"
					+ shown(format) + "', this node reads version " + VERSION + "; upgrade this node");
		}
		String notify = read.notify;
		if (notify != null && !notify.equals("true") && !notify.equals("false")) {
			throw new MalformedMessageException(revision, "key '" + key + "' has " + NOTIFY_HEADER + " '"
					+ shown(notify) + "', expected 'true' or 'false'");
		}
		String operation = read.operation;
		CoordinatorAction action;
		if (operation == null) {
			action = CoordinatorAction.PUT;
		}
		else if (operation.equals("DEL") || operation.equals("PURGE")) {
			action = CoordinatorAction.DELETE;
		}
		else {
			throw new MalformedMessageException(revision, "key '" + key + "' has " + KV_OPERATION_HEADER + " '"
					+ shown(operation) + "', expected DEL or PURGE");
		}
		byte[] body = (data != null) ? data : new byte[0];
		byte[] value = (action == CoordinatorAction.PUT) ? body : null;
		return new Change(key, action, value, revision, read.origin, writtenAt, !"false".equals(notify),
				(read.trace != null) ? read.trace : Map.of(), read.signature, body);
	}

	/**
	 * What the headers of one message say, collected in one pass over them (a look-up per header this format
	 * knows cost more than the few headers a change has).
	 */
	private static final class Read {

		private final String key;

		private final long revision;

		private @Nullable String format;

		private @Nullable String notify;

		private @Nullable String operation;

		private @Nullable String origin;

		private @Nullable String signature;

		private @Nullable Map<String, String> trace;

		Read(String key, long revision) {
			this.key = key;
			this.revision = revision;
		}

		/**
		 * Takes one header. Compared by {@code equals}, which tells names of other lengths apart at once: a
		 * {@code switch} hashes the name, which the client creates anew for every message (3.5 % of the reader
		 * thread under pipelined writes).
		 */
		void header(String name, List<String> values) {
			if (name.equals(ORIGIN_HEADER)) {
				this.origin = single(name, values);
			}
			else if (name.equals(KV_OPERATION_HEADER)) {
				this.operation = single(name, values);
			}
			else if (name.equals(NOTIFY_HEADER)) {
				this.notify = single(name, values);
			}
			else if (name.equals(FORMAT_HEADER)) {
				this.format = single(name, values);
			}
			else if (name.equals(SIGNATURE_HEADER)) {
				this.signature = single(name, values);
			}
			else {
				trace(name, values);
			}
		}

		/**
		 * Keeps the trace context the writer sent ({@code traceparent}, {@code tracestate}); other headers are
		 * not kept. A trace header given twice or longer than {@value #MAX_TRACE_HEADER_LENGTH} characters (the
		 * W3C limit of {@code tracestate}) is left out: the change is still good, only its trace is lost.
		 */
		private void trace(String name, List<String> values) {
			if (CoordinatorWriteContext.TRACE_HEADERS.contains(name) && values.size() == 1
					&& values.get(0).length() <= MAX_TRACE_HEADER_LENGTH) {
				if (this.trace == null) {
					this.trace = new HashMap<>(2);
				}
				this.trace.put(name, values.get(0));
			}
		}

		/**
		 * Returns the value of a header this format reads: absent, or one value of at most
		 * {@value #MAX_HEADER_LENGTH} characters. A header given twice is ambiguous (which one would another
		 * client believe?), and a longer value is no value of this format.
		 */
		private @Nullable String single(String name, List<String> values) {
			if (values.isEmpty()) {
				return null;
			}
			if (values.size() > 1) {
				throw new MalformedMessageException(this.revision, "key '" + this.key + "' has header " + name + " "
						+ values.size() + " times");
			}
			String value = values.get(0);
			if (value.length() > MAX_HEADER_LENGTH) {
				throw new MalformedMessageException(this.revision, "key '" + this.key + "' has a header " + name
						+ " of " + value.length() + " characters, more than the " + MAX_HEADER_LENGTH + " allowed");
			}
			return value;
		}

	}

	/**
	 * Renders text from a message for a log line: printable ASCII only, at most {@value #MAX_HEADER_LENGTH}
	 * characters.
	 */
	static String shown(String text) {
		StringBuilder shown = new StringBuilder();
		for (int i = 0; i < text.length() && i < MAX_HEADER_LENGTH; i++) {
			char c = text.charAt(i);
			shown.append((c >= 0x20 && c < 0x7F) ? c : '?');
		}
		return (text.length() > MAX_HEADER_LENGTH) ? shown + "..." : shown.toString();
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
	 * @param signature the writer's signature ({@link #SIGNATURE_HEADER}), {@code null} when it sent none
	 * @param body the message body the signature covers (empty for a delete)
	 */
	record Change(String key, CoordinatorAction action, byte @Nullable [] value, long revision,
			@Nullable String origin, Instant writtenAt, boolean notifyListeners, Map<String, String> traceHeaders,
			@Nullable String signature, byte[] body) {
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
