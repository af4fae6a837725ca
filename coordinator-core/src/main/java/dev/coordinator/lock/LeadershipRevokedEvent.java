package dev.coordinator.lock;

import org.springframework.context.ApplicationEvent;

/**
 * Published on a node when it no longer leads a role: it lost its lock, or it stopped.
 */
public class LeadershipRevokedEvent extends ApplicationEvent {

	private final String role;

	private final long fencingToken;

	/**
	 * Creates an event.
	 * @param source the leadership
	 * @param role the role
	 * @param fencingToken the fencing token of the leadership that ended, or -1 when unknown
	 */
	public LeadershipRevokedEvent(Leadership source, String role, long fencingToken) {
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
	 * Returns the fencing token of the leadership that ended.
	 * @return the token, or -1 when unknown
	 */
	public long getFencingToken() {
		return this.fencingToken;
	}

}
