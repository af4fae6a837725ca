package dev.coordinator;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEvent;

/**
 * A change of one key, written by any node of the cluster (or by any program that writes to the bucket),
 * delivered to every node.
 *
 * <p>Events of one key arrive in revision order. {@link #getRevision()} is the position of the change in
 * the log, which is also the revision {@link Coordinator#get} reports for it.
 */
public class CoordinatorEvent extends ApplicationEvent {

	private final String key;

	private final CoordinatorAction action;

	private final byte @Nullable [] value;

	private final long revision;

	private final @Nullable String origin;

	private final Instant writtenAt;

	private final boolean local;

	private final boolean replay;

	private final Map<String, String> traceHeaders;

	private final OriginVerification originVerification;

	/**
	 * Creates a live event.
	 * @param source the coordinator that received the change
	 * @param key the key that changed
	 * @param action what happened to the key
	 * @param value the new value for a PUT, {@code null} for a DELETE
	 * @param revision the revision of the change
	 * @param origin the id of the node that wrote it, {@code null} when a program that is not a node did
	 * @param writtenAt when the server stored the change
	 * @param local whether this node wrote the change
	 */
	public CoordinatorEvent(Coordinator source, String key, CoordinatorAction action, byte @Nullable [] value,
			long revision, @Nullable String origin, Instant writtenAt, boolean local) {
		this(source, key, action, value, revision, origin, writtenAt, local, false);
	}

	/**
	 * Creates an event.
	 * @param source the coordinator that received the change
	 * @param key the key that changed
	 * @param action what happened to the key
	 * @param value the new value for a PUT, {@code null} for a DELETE
	 * @param revision the revision of the change
	 * @param origin the id of the node that wrote it, {@code null} when a program that is not a node did
	 * @param writtenAt when the server stored the change
	 * @param local whether this node wrote the change
	 * @param replay whether the event replays existing state rather than reporting a change as it happens
	 */
	public CoordinatorEvent(Coordinator source, String key, CoordinatorAction action, byte @Nullable [] value,
			long revision, @Nullable String origin, Instant writtenAt, boolean local, boolean replay) {
		this(source, key, action, value, revision, origin, writtenAt, local, replay, Map.of());
	}

	/**
	 * Creates an event with the trace context its writer sent.
	 * @param source the coordinator that received the change
	 * @param key the key that changed
	 * @param action what happened to the key
	 * @param value the new value for a PUT, {@code null} for a DELETE
	 * @param revision the revision of the change
	 * @param origin the id of the node that wrote it, {@code null} when a program that is not a node did
	 * @param writtenAt when the server stored the change
	 * @param local whether this node wrote the change
	 * @param replay whether the event replays existing state rather than reporting a change as it happens
	 * @param traceHeaders the trace context headers of the change ({@code traceparent}, {@code tracestate}),
	 * empty when its writer sent none
	 */
	public CoordinatorEvent(Coordinator source, String key, CoordinatorAction action, byte @Nullable [] value,
			long revision, @Nullable String origin, Instant writtenAt, boolean local, boolean replay,
			Map<String, String> traceHeaders) {
		this(source, key, action, value, revision, origin, writtenAt, local, replay, traceHeaders,
				OriginVerification.NOT_CHECKED);
	}

	/**
	 * Creates an event with the trace context its writer sent and what the receiving node found about its origin.
	 * @param source the coordinator that received the change
	 * @param key the key that changed
	 * @param action what happened to the key
	 * @param value the new value for a PUT, {@code null} for a DELETE
	 * @param revision the revision of the change
	 * @param origin the id of the node that wrote it, {@code null} when a program that is not a node did
	 * @param writtenAt when the server stored the change
	 * @param local whether this node wrote the change
	 * @param replay whether the event replays existing state rather than reporting a change as it happens
	 * @param traceHeaders the trace context headers of the change ({@code traceparent}, {@code tracestate}),
	 * empty when its writer sent none
	 * @param originVerification whether the origin was verified, and how that ended
	 */
	public CoordinatorEvent(Coordinator source, String key, CoordinatorAction action, byte @Nullable [] value,
			long revision, @Nullable String origin, Instant writtenAt, boolean local, boolean replay,
			Map<String, String> traceHeaders, OriginVerification originVerification) {
		super(source);
		this.key = Objects.requireNonNull(key, "key");
		this.action = Objects.requireNonNull(action, "action");
		if ((action == CoordinatorAction.PUT) != (value != null)) {
			throw new IllegalArgumentException("A PUT event needs a value and a DELETE event has none");
		}
		this.value = value;
		this.revision = revision;
		this.origin = origin;
		this.writtenAt = Objects.requireNonNull(writtenAt, "writtenAt");
		this.local = local;
		this.replay = replay;
		this.traceHeaders = Map.copyOf(traceHeaders);
		this.originVerification = Objects.requireNonNull(originVerification, "originVerification");
	}

	/**
	 * Returns the key that changed.
	 * @return the key, e.g. {@code /nodes/node-1}
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * Returns what happened to the key.
	 * @return the action
	 */
	public CoordinatorAction getAction() {
		return this.action;
	}

	/**
	 * Returns the new value.
	 * @return the value of a PUT (empty when an empty value was stored), {@code null} for a DELETE
	 */
	public byte @Nullable [] getValue() {
		return this.value;
	}

	/**
	 * Reads the new value as JSON, with the {@link Coordinator#jsonCodec() codec} of the coordinator that
	 * received the change.
	 * @param <T> the type to read
	 * @param type the type to read
	 * @return the value as an instance of the type
	 * @throws IllegalStateException for a DELETE event, which has no value
	 * @throws CoordinatorValueException when the value is not JSON of that type
	 */
	public <T> T valueAs(Class<T> type) {
		if (this.value == null) {
			throw new IllegalStateException("DELETE event of key '" + this.key + "' at revision " + this.revision
					+ " has no value");
		}
		return JsonValues.read(((Coordinator) getSource()).jsonCodec(), this.key, this.revision, this.value, type);
	}

	/**
	 * Returns the revision of the change, its position in the log.
	 * @return the revision
	 */
	public long getRevision() {
		return this.revision;
	}

	/**
	 * Returns the id of the node that wrote the change, as the writer claimed it: anyone allowed to publish to
	 * the bucket can claim any origin. {@link #getOriginVerification()} tells whether the claim was checked.
	 * @return the node id, or {@code null} when the change was written by a program that is not a node
	 */
	public @Nullable String getOrigin() {
		return this.origin;
	}

	/**
	 * Returns when the server stored the change. (Spring's {@link #getTimestamp()} is when this event object
	 * was created on the receiving node.)
	 * @return when the change was stored
	 */
	public Instant getWrittenAt() {
		return this.writtenAt;
	}

	/**
	 * Returns whether this node wrote the change, by its {@link #getOrigin() origin}: a claim like the origin.
	 * @return {@code true} for the node's own changes
	 */
	public boolean isLocal() {
		return this.local;
	}

	/**
	 * Returns whether this event replays existing state: the entries that existed when an
	 * {@link CoordinatorListener#initialState() initial-state} listener started, or the differences found by a
	 * {@link CoordinatorResyncEvent resync}. Only initial-state listeners receive replayed events.
	 * @return {@code true} for replayed state, {@code false} for a change as it happens
	 */
	public boolean isReplay() {
		return this.replay;
	}

	/**
	 * Returns the trace context its writer sent with the change, by header name ({@code traceparent},
	 * {@code tracestate}): the writer's span is the parent of the observation of each listener call. Replayed
	 * state is read from the bucket, which does not keep it.
	 * @return the headers; empty when the writer sent none (it observed nothing, or is another program) and for
	 * replayed state
	 */
	public Map<String, String> getTraceHeaders() {
		return this.traceHeaders;
	}

	/**
	 * Returns what this node found when it checked the change's signature against the public key of the node
	 * it names as its origin ({@code coordinator.origin.verify}).
	 * @return the verification; {@link OriginVerification#NOT_CHECKED} when this node does not verify origins
	 * and for replayed state
	 */
	public OriginVerification getOriginVerification() {
		return this.originVerification;
	}

	@Override
	public String toString() {
		return "CoordinatorEvent[" + this.action + " " + this.key + " revision=" + this.revision + " origin="
				+ this.origin + ((this.originVerification != OriginVerification.NOT_CHECKED)
						? " " + this.originVerification : "")
				+ (this.replay ? " replay" : "") + "]";
	}

}
