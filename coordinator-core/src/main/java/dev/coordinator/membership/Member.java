package dev.coordinator.membership;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A node of the cluster, as its membership record describes it (stored as JSON under the membership prefix).
 *
 * @param nodeId the node's id
 * @param host the node's host name
 * @param webPort the port of its web server, {@code null} when it runs none
 * @param startedAt when it registered, by its own clock (informative only: no node's expiry relies on it)
 * @param metadata what {@code coordinator.membership.metadata.*} says about it
 */
public record Member(String nodeId, String host, @Nullable Integer webPort, Instant startedAt,
		Map<String, String> metadata) {

	/**
	 * Creates a member.
	 * @param nodeId the node's id
	 * @param host the host name
	 * @param webPort the web port, or {@code null}
	 * @param startedAt when it registered
	 * @param metadata its metadata
	 */
	public Member {
		metadata = (metadata != null) ? Map.copyOf(metadata) : Map.of();
	}

}
