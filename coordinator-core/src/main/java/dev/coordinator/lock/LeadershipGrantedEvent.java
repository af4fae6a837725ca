package dev.coordinator.lock;

/**
 * Published on a node when it became the leader of a role.
 */
public class LeadershipGrantedEvent extends LeadershipEvent {

	/**
	 * Creates an event.
	 * @param source the leadership
	 * @param role the role
	 * @param fencingToken the fencing token of this leadership
	 */
	public LeadershipGrantedEvent(Leadership source, String role, long fencingToken) {
		super(source, role, fencingToken);
	}

}
