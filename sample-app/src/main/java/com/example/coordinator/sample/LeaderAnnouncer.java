package com.example.coordinator.sample;

import java.time.Instant;
import java.util.Optional;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorConflictException;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.lock.LeadershipGrantedEvent;
import dev.coordinator.lock.LeadershipRevokedEvent;
import dev.coordinator.membership.ClusterMembership;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tells every node who leads: a {@link dev.coordinator.lock.Leadership} only tells its own node, so the node
 * granted the role writes a {@link LeaderRecord} under {@code /sample/leaders/<role>} and removes it when it
 * gives the role up. The writes are compare-and-set and keep the record with the largest fencing token, so a
 * former leader that announces itself late cannot overwrite its successor.
 */
@Component
public class LeaderAnnouncer {

	private static final Logger logger = LoggerFactory.getLogger(LeaderAnnouncer.class);

	private final Coordinator coordinator;

	private final ClusterMembership membership;

	private final JsonMapper jsonMapper;

	private final String role;

	private final String key;

	public LeaderAnnouncer(Coordinator coordinator, ClusterMembership membership, JsonMapper jsonMapper,
			SampleProperties properties) {
		this.coordinator = coordinator;
		this.membership = membership;
		this.jsonMapper = jsonMapper;
		this.role = properties.role();
		this.key = "/sample/leaders/" + properties.role();
	}

	@EventListener
	void announce(LeadershipGrantedEvent granted) {
		LeaderRecord record = new LeaderRecord(this.coordinator.nodeId(), granted.getFencingToken());
		byte[] value = this.jsonMapper.writeValueAsBytes(record);
		while (true) {
			Optional<CoordinatorEntry> current = this.coordinator.get(this.key);
			try {
				if (current.isEmpty()) {
					this.coordinator.create(this.key, value);
				}
				else if (current.get().valueAs(LeaderRecord.class).fencingToken() > record.fencingToken()) {
					logger.info("Not announcing leadership of '{}' with fencing token {}: a later leader already did",
							this.role, record.fencingToken());
					return;
				}
				else {
					this.coordinator.update(this.key, value, current.get().revision());
				}
				return;
			}
			catch (CoordinatorConflictException ex) {
				// Another node wrote the record since it was read: read it again.
			}
		}
	}

	@EventListener
	void withdraw(LeadershipRevokedEvent revoked) {
		this.coordinator.get(this.key)
			.filter((entry) -> entry.valueAs(LeaderRecord.class).nodeId().equals(this.coordinator.nodeId()))
			.ifPresent((entry) -> {
				try {
					this.coordinator.delete(this.key, entry.revision());
				}
				catch (CoordinatorConflictException ex) {
					// The next leader has announced itself already.
				}
			});
	}

	/**
	 * Returns the leader of the role as the cluster knows it: the announced leader while it is a member.
	 * @return the leader
	 */
	public Leader current() {
		Optional<CoordinatorEntry> entry = this.coordinator.get(this.key);
		if (entry.isEmpty()) {
			return new Leader(this.role, null, -1, null, false);
		}
		LeaderRecord record = entry.get().valueAs(LeaderRecord.class);
		if (!this.membership.isMember(record.nodeId())) {
			return new Leader(this.role, null, -1, null, false);
		}
		return new Leader(this.role, record.nodeId(), record.fencingToken(), entry.get().created(),
				record.nodeId().equals(this.coordinator.nodeId()));
	}

	/**
	 * The leader of a role, as {@code GET /leader} shows it.
	 *
	 * @param role the role
	 * @param leader the leader's node id, {@code null} while no live member leads
	 * @param fencingToken the fencing token of its leadership, -1 without a leader
	 * @param since when it announced itself, {@code null} without a leader
	 * @param thisNode whether this node leads
	 */
	public record Leader(String role, @Nullable String leader, long fencingToken, @Nullable Instant since,
			boolean thisNode) {
	}

}
