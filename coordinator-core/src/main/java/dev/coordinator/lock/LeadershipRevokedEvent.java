package dev.coordinator.lock;

/**
 * Published on a node when it no longer leads a role: it lost its lock, or it stopped.
 */
public class LeadershipRevokedEvent extends LeadershipEvent {

	/**
	 * Creates an event.
	 * @param source the leadership
	 * @param role the role
	 * @param fencingToken the fencing token of the leadership that ended, or -1 when unknown
	 */
	public LeadershipRevokedEvent(Leadership source, String role, long fencingToken) {
		super(source, role, fencingToken);
	}

}
