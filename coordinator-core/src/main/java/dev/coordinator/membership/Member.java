package dev.coordinator.membership;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * A node of the cluster, as its membership record describes it (stored as JSON under the membership prefix).
 *
 * @param nodeId the node's id
 * @param host the node's host name
 * @param webPort the port of its web server, {@code null} when it runs none
 * @param startedAt when it registered, by its own clock (informative only: no node's expiry relies on it)
 * @param metadata what {@code coordinator.membership.metadata.*} says about it
 * @param publicKey the public NKey that verifies the node's signed writes ({@code coordinator.origin.sign}),
 * {@code null} when it does not sign (then left out of the record); readers that do not know the field ignore it
 */
public record Member(String nodeId, String host, @Nullable Integer webPort, Instant startedAt,
		Map<String, String> metadata, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String publicKey) {

	/**
	 * Creates a member.
	 * @param nodeId the node's id
	 * @param host the host name
	 * @param webPort the web port, or {@code null}
	 * @param startedAt when it registered
	 * @param metadata its metadata
	 * @param publicKey its public NKey, or {@code null}
	 */
	public Member {
		metadata = (metadata != null) ? Map.copyOf(metadata) : Map.of();
	}

	/**
	 * Creates a member that does not sign its writes.
	 * @param nodeId the node's id
	 * @param host the host name
	 * @param webPort the web port, or {@code null}
	 * @param startedAt when it registered
	 * @param metadata its metadata
	 */
	public Member(String nodeId, String host, @Nullable Integer webPort, Instant startedAt,
			Map<String, String> metadata) {
		this(nodeId, host, webPort, startedAt, metadata, null);
	}

}
