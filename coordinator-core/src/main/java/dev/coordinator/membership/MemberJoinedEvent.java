package dev.coordinator.membership;

import org.springframework.context.ApplicationEvent;

/**
 * Published on every node when a node registered as a member.
 */
public class MemberJoinedEvent extends ApplicationEvent {

	private final Member member;

	/**
	 * Creates an event.
	 * @param source the membership that saw it
	 * @param member the member that joined
	 */
	public MemberJoinedEvent(ClusterMembership source, Member member) {
		super(source);
		this.member = member;
	}

	/**
	 * Returns the member that joined.
	 * @return the member
	 */
	public Member getMember() {
		return this.member;
	}

}
