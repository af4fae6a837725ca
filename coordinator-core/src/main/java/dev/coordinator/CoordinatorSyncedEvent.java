package dev.coordinator;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the coordinator has delivered the initial state to the
 * {@link CoordinatorListener#initialState() initial-state} listeners and is about to deliver changes as they
 * happen; again after each {@link CoordinatorResyncEvent resync}. Published at every start, also when no
 * listener asked for initial state.
 */
public class CoordinatorSyncedEvent extends ApplicationEvent {

	private final long revision;

	/**
	 * Creates an event.
	 * @param source the coordinator
	 * @param revision the revision of the log the delivered state reflects at least
	 */
	public CoordinatorSyncedEvent(Coordinator source, long revision) {
		super(source);
		this.revision = revision;
	}

	/**
	 * Returns the revision of the log the delivered state reflects at least: every change up to it is
	 * contained in the state, changes after it arrive as events.
	 * @return the revision
	 */
	public long getRevision() {
		return this.revision;
	}

}
