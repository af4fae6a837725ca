package dev.coordinator.lock;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * What a lock's key holds while it is held: the holding node, the time it may go without renewing, and from
 * the first renewal on the fencing token (until then the record's own revision is the token).
 *
 * @param holder the id of the node that holds it
 * @param ttlMillis how long after its last renewal the lock is free
 * @param token the fencing token of the hold, {@code null} in the acquiring write
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record LockRecord(String holder, long ttlMillis, @Nullable Long token) {

	LockRecord(String holder, long ttlMillis) {
		this(holder, ttlMillis, null);
	}

	LockRecord withToken(long fencingToken) {
		return new LockRecord(this.holder, this.ttlMillis, fencingToken);
	}

}
