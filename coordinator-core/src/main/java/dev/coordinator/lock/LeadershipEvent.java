package dev.coordinator.lock;

import org.springframework.context.ApplicationEvent;

/**
 * A change of this node's leadership of a role.
 */
public abstract class LeadershipEvent extends ApplicationEvent {

	private final String role;

	private final long fencingToken;

	/**
	 * Creates an event.
	 * @param source the leadership
	 * @param role the role
	 * @param fencingToken the fencing token of the leadership, or -1 when unknown
	 */
	protected LeadershipEvent(Leadership source, String role, long fencingToken) {
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
	 * Returns the fencing token of the leadership, which grows with every new leader.
	 * @return the token, or -1 when unknown
	 */
	public long getFencingToken() {
		return this.fencingToken;
	}

}
