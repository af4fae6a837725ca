package dev.coordinator.observation;

import java.util.List;
import java.util.Objects;

import io.micrometer.observation.transport.SenderContext;
import io.nats.client.impl.Headers;

/**
 * What an observation of a write knows: the operation, the key, and the headers of the message, which carry the
 * writer's trace context to the nodes that receive the change.
 *
 * <p>Only {@link #TRACE_HEADERS} are written into the headers, and a {@code tracestate} only up to 128
 * characters: baggage is not propagated, as headers count against the server's payload limit.
 */
public class CoordinatorWriteContext extends SenderContext<Headers> {

	/** The headers a write carries its trace context in (W3C Trace Context). */
	public static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate");

	/**
	 * Longest trace header value written, so that the headers of a write stay within the room a value leaves them;
	 * a longer {@code tracestate} is left out, as W3C Trace Context allows.
	 */
	static final int MAX_TRACE_HEADER_LENGTH = 128;

	/** Outcome of a write that stored its change. */
	public static final String SUCCESS = "success";

	/** Outcome of a compare-and-set write whose key was not at the expected revision. */
	public static final String CONFLICT = "conflict";

	/** Outcome of a delete that found nothing to delete. */
	public static final String ABSENT = "absent";

	/** Outcome of a write that failed, or whose outcome is unknown. */
	public static final String ERROR = "error";

	private final String operation;

	private final String key;

	private String outcome = ERROR;

	/**
	 * Creates a context.
	 * @param headers the headers of the message to write
	 * @param operation {@code put}, {@code create}, {@code update} or {@code delete}
	 * @param key the coordinator key
	 */
	public CoordinatorWriteContext(Headers headers, String operation, String key) {
		super((carrier, name, value) -> {
			if (TRACE_HEADERS.contains(name) && value.length() <= MAX_TRACE_HEADER_LENGTH) {
				carrier.put(name, value);
			}
		});
		setCarrier(Objects.requireNonNull(headers, "headers"));
		this.operation = Objects.requireNonNull(operation, "operation");
		this.key = Objects.requireNonNull(key, "key");
	}

	/**
	 * Returns the operation.
	 * @return {@code put}, {@code create}, {@code update} or {@code delete}
	 */
	public String getOperation() {
		return this.operation;
	}

	/**
	 * Returns the key written.
	 * @return the coordinator key
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * Returns the outcome: {@link #ERROR} until the write reported another.
	 * @return {@link #SUCCESS}, {@link #CONFLICT}, {@link #ABSENT} or {@link #ERROR}
	 */
	public String getOutcome() {
		return this.outcome;
	}

	/**
	 * Records the outcome of the write.
	 * @param outcome {@link #SUCCESS}, {@link #CONFLICT}, {@link #ABSENT} or {@link #ERROR}
	 */
	public void setOutcome(String outcome) {
		this.outcome = Objects.requireNonNull(outcome, "outcome");
	}

}
