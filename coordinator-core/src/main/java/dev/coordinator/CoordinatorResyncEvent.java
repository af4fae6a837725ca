package dev.coordinator;

import org.springframework.context.ApplicationEvent;

/**
 * Published when this node's place in the log was lost, so that changes may have been missed: its durable
 * consumer was deleted (by the server after {@code coordinator.consumer.inactive-threshold} without contact,
 * or by an operator). The node then reads the stored state, replays the differences to
 * {@link CoordinatorListener#initialState() initial-state} listeners, and continues with the changes after
 * {@link #getRevision()}. Listeners without initial state may have missed changes between the two revisions.
 */
public class CoordinatorResyncEvent extends ApplicationEvent {

	private final String reason;

	private final long lastRevision;

	private final long revision;

	/**
	 * Creates an event.
	 * @param source the coordinator
	 * @param reason why the node resynchronised
	 * @param lastRevision the last revision the node processed before it lost its place
	 * @param revision the revision the node continues after
	 */
	public CoordinatorResyncEvent(Coordinator source, String reason, long lastRevision, long revision) {
		super(source);
		this.reason = reason;
		this.lastRevision = lastRevision;
		this.revision = revision;
	}

	/**
	 * Returns why the node resynchronised.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * Returns the last revision the node processed before it lost its place.
	 * @return the revision, 0 when it had processed none
	 */
	public long getLastRevision() {
		return this.lastRevision;
	}

	/**
	 * Returns the revision the node continues after; changes between {@link #getLastRevision()} and it may
	 * have been missed by listeners without initial state.
	 * @return the revision
	 */
	public long getRevision() {
		return this.revision;
	}

}
