package dev.coordinator.lock;

import java.time.Duration;
import java.time.Instant;

/**
 * Who holds a lock, as its record in the bucket says.
 *
 * @param name the lock's name, e.g. {@code nightly-report} or {@code leader/scheduler}
 * @param holder the id of the node that holds it
 * @param fencingToken the fencing token of the hold
 * @param renewedAt when the server stored the last acquisition or renewal
 * @param ttl how long the lock stays held after its last renewal
 */
public record LockHolder(String name, String holder, long fencingToken, Instant renewedAt, Duration ttl) {

	/**
	 * Returns when the lock is free unless renewed before, by the server's clock of the last renewal (the
	 * waiting nodes judge it on their own clocks, and may take up to a sixth of the TTL longer).
	 * @return the expiry
	 */
	public Instant expiresAt() {
		return this.renewedAt.plus(this.ttl);
	}

}
