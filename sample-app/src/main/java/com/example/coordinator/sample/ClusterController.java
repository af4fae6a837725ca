package com.example.coordinator.sample;

import java.util.Comparator;
import java.util.List;

import dev.coordinator.lock.LockHolder;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.membership.Member;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The cluster as this node sees it: {@code GET /members}, {@code GET /leader}, {@code GET /locks}, and
 * {@code GET /events}, the server-sent event stream the page listens to.
 */
@RestController
public class ClusterController {

	private final ClusterMembership membership;

	private final LeaderAnnouncer leaders;

	private final ClusterActivity activity;

	public ClusterController(ClusterMembership membership, LeaderAnnouncer leaders, ClusterActivity activity) {
		this.membership = membership;
		this.leaders = leaders;
		this.activity = activity;
	}

	@GetMapping("/members")
	List<Member> members() {
		return this.membership.members().values().stream().sorted(Comparator.comparing(Member::nodeId)).toList();
	}

	@GetMapping("/leader")
	LeaderAnnouncer.Leader leader() {
		return this.leaders.current();
	}

	@GetMapping("/locks")
	List<LockHolder> locks() {
		return this.activity.locks();
	}

	@GetMapping(path = "/events", produces = "text/event-stream")
	SseEmitter events() {
		return this.activity.open();
	}

}
