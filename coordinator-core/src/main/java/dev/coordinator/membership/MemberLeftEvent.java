package dev.coordinator.membership;

import org.springframework.context.ApplicationEvent;

/**
 * Published on every node when a member's record was removed: by the member itself when it shut down, or by a
 * live node once the member stopped renewing it for the lease time.
 */
public class MemberLeftEvent extends ApplicationEvent {

	private final Member member;

	private final Reason reason;

	/**
	 * Creates an event.
	 * @param source the membership that saw it
	 * @param member the member that left
	 * @param reason why
	 */
	public MemberLeftEvent(ClusterMembership source, Member member, Reason reason) {
		super(source);
		this.member = member;
		this.reason = reason;
	}

	/**
	 * Returns the member that left.
	 * @return the member
	 */
	public Member getMember() {
		return this.member;
	}

	/**
	 * Returns why it left.
	 * @return the reason
	 */
	public Reason getReason() {
		return this.reason;
	}

	/**
	 * Why a member left.
	 */
	public enum Reason {

		/** It removed its record when it shut down. */
		LEFT,

		/** It stopped renewing its record (it died or lost the connection), and a live node removed it. */
		EXPIRED

	}

}
