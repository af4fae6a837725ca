package dev.coordinator.membership;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import dev.coordinator.InvalidSettingException;

/**
 * Settings of cluster membership.
 *
 * @param prefix where the members' records are, e.g. {@code /nodes/}
 * @param leaseTtl how long a member may go without renewing its record before a live node removes it
 * @param heartbeat how often a member renews its record, and how often a node looks for expired ones
 * @param metadata what this node says about itself in its record
 */
public record MembershipSettings(String prefix, Duration leaseTtl, Duration heartbeat, Map<String, String> metadata) {

	/**
	 * Creates settings.
	 * @param prefix the prefix, ending with {@code /}
	 * @param leaseTtl the lease time
	 * @param heartbeat the renewal interval, at most half the lease time
	 * @param metadata this node's metadata
	 */
	public MembershipSettings {
		Objects.requireNonNull(prefix, "prefix");
		if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
			throw new InvalidSettingException("prefix", prefix,
					"Membership prefix must start and end with '/', e.g. '/nodes/', not '" + prefix + "'");
		}
		if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero() || leaseTtl == null
				|| leaseTtl.compareTo(heartbeat.multipliedBy(2)) < 0) {
			throw new InvalidSettingException("heartbeat", heartbeat,
					"Membership heartbeat must be positive and at most half the lease ttl (" + leaseTtl + "), not "
							+ heartbeat);
		}
		metadata = (metadata != null) ? Map.copyOf(metadata) : Map.of();
	}

}
