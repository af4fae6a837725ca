package dev.coordinator.lock;

import org.springframework.context.ApplicationEvent;

/**
 * Published on a node when it became the leader of a role.
 */
public class LeadershipGrantedEvent extends ApplicationEvent {

	private final String role;

	private final long fencingToken;

	/**
	 * Creates an event.
	 * @param source the leadership
	 * @param role the role
	 * @param fencingToken the fencing token of this leadership
	 */
	public LeadershipGrantedEvent(Leadership source, String role, long fencingToken) {
		super(source);
		this.role = role;
		this.fencingToken = fencingToken;
	}

	/**
	 * Returns the role.
	 * @return the role
	 */
	public String getRole() {
		return this.role;
	}

	/**
	 * Returns the fencing token of this leadership, which grows with every new leader.
	 * @return the token
	 */
	public long getFencingToken() {
		return this.fencingToken;
	}

}
