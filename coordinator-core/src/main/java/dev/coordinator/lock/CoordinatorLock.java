package dev.coordinator.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorConflictException;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.observation.UnobservedWrites;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock shared by the nodes of a cluster, held for a time to live that the holder renews while it holds it.
 *
 * <p>Acquiring is a {@code create} of the lock's key (an event); renewing, a silent {@code update} at the
 * revision the holder last wrote, every third of the TTL; releasing, a {@code delete} at that revision (an
 * event). A node waiting for the lock notes, on its own monotonic clock, when the lock's revision last
 * changed, and deletes a record unchanged for its TTL at that revision before trying again: a dead holder's
 * lock is free after its TTL. A holder that cannot renew for two thirds of the TTL stops holding, before any
 * other node can take the lock. The {@link #fencingToken() fencing token} is the revision of the acquiring
 * write: it grows with every acquisition, so that storage can refuse a stale holder. Not reentrant; one
 * holder per lock object at a time.
 */
public final class CoordinatorLock {

	private static final Logger logger = LoggerFactory.getLogger(CoordinatorLock.class);

	private static final Duration MIN_POLL = Duration.ofMillis(20);

	private final Coordinator coordinator;

	private final String key;

	private final ScheduledExecutorService renewals;

	private volatile @Nullable Hold hold;

	/** The holder's revision this object last saw while waiting, and since when (monotonic); kept across waits. */
	private long seenRevision = -1;

	private long seenSince;

	CoordinatorLock(Coordinator coordinator, String key, ScheduledExecutorService renewals) {
		this.coordinator = coordinator;
		this.key = key;
		this.renewals = renewals;
	}

	/**
	 * Returns the key of the lock's record.
	 * @return the key
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * Acquires the lock, waiting at most {@code wait}.
	 * @param wait how long to wait for it
	 * @param ttl how long it stays held after its holder's last renewal
	 * @return whether it is now held
	 * @throws InterruptedException when interrupted while waiting
	 * @throws IllegalStateException when this lock object holds it already
	 */
	public synchronized boolean tryLock(Duration wait, Duration ttl) throws InterruptedException {
		if (isHeld()) {
			throw new IllegalStateException("Lock '" + this.key + "' is held by this lock object already");
		}
		long deadline = System.nanoTime() + wait.toNanos();
		Duration poll = max(ttl.dividedBy(6), MIN_POLL);
		LockRecord record = new LockRecord(this.coordinator.nodeId(), ttl.toMillis());
		boolean firstAttempt = true;
		while (true) {
			try {
				// Only the first attempt is observed: a waiter's polls would swamp the write timers and traces.
				long revision = firstAttempt ? this.coordinator.create(this.key, json(record))
						: UnobservedWrites.call(() -> this.coordinator.create(this.key, json(record)));
				held(revision, record.withToken(revision), ttl);
				return true;
			}
			catch (CoordinatorConflictException conflict) {
				firstAttempt = false;
				long current = conflict.getCurrentRevision().orElse(0);
				long now = System.nanoTime();
				if (current != 0 && current != this.seenRevision) {
					this.seenRevision = current;
					this.seenSince = now;
				}
				else if (current != 0 && now - this.seenSince > holderTtl(current, ttl).toNanos()) {
					freeExpired(current);
					this.seenRevision = -1;
					continue;
				}
				else if (current == 0) {
					continue;
				}
			}
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			Thread.sleep(Math.min(poll.toMillis(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
		}
	}

	/**
	 * Acquires the lock, waiting as long as it takes.
	 * @param ttl how long it stays held after its holder's last renewal
	 * @throws InterruptedException when interrupted while waiting
	 */
	public void lock(Duration ttl) throws InterruptedException {
		while (!tryLock(Duration.ofMinutes(1), ttl)) {
			logger.debug("Still waiting for lock '{}'", this.key);
		}
	}

	/**
	 * Releases the lock (an event on every node).
	 */
	public synchronized void unlock() {
		Hold current = this.hold;
		this.hold = null;
		if (current == null) {
			return;
		}
		current.renewal.cancel(false);
		try {
			this.coordinator.delete(this.key, current.revision);
		}
		catch (CoordinatorConflictException ex) {
			logger.warn("Lock '{}' was no longer held when it was released (revision {}); it had been lost", this.key,
					ex.getCurrentRevision());
		}
	}

	/**
	 * Renews the lock now, for a TTL from now on.
	 * @param ttl how long it stays held after this renewal (and the next ones)
	 * @throws IllegalStateException when the lock is not held, or was lost
	 */
	public synchronized void renew(Duration ttl) {
		Hold current = this.hold;
		if (current == null || current.lapsed()) {
			throw new IllegalStateException("Lock '" + this.key + "' is not held; it cannot be renewed");
		}
		current.renewal.cancel(false);
		LockRecord record = new LockRecord(this.coordinator.nodeId(), ttl.toMillis(), current.token);
		try {
			current.revision = renewal(record, current.revision);
		}
		catch (CoordinatorConflictException ex) {
			lose(current);
			throw new IllegalStateException("Lock '" + this.key + "' was lost: another node took it", ex);
		}
		current.renewedAt = System.nanoTime();
		current.lapseAfterNanos = ttl.multipliedBy(2).dividedBy(3).toNanos();
		long interval = Math.max(1, ttl.toMillis() / 3);
		current.renewal = this.renewals.scheduleWithFixedDelay(() -> renew(current, record), interval, interval,
				TimeUnit.MILLISECONDS);
	}

	/**
	 * Returns whether this lock object holds the lock: acquired, and renewed within two thirds of its TTL.
	 * @return whether it is held
	 */
	public boolean isHeld() {
		Hold current = this.hold;
		return current != null && !current.lapsed();
	}

	/**
	 * Returns the fencing token of the current hold: the revision of the write that acquired it.
	 * @return the token
	 * @throws IllegalStateException when the lock is not held
	 */
	public long fencingToken() {
		Hold current = this.hold;
		if (current == null || current.lapsed()) {
			throw new IllegalStateException("Lock '" + this.key + "' is not held");
		}
		return current.token;
	}

	private void held(long revision, LockRecord record, Duration ttl) {
		Hold acquired = new Hold(revision, ttl);
		long interval = Math.max(1, ttl.toMillis() / 3);
		acquired.renewal = this.renewals.scheduleWithFixedDelay(() -> renew(acquired, record), interval, interval,
				TimeUnit.MILLISECONDS);
		this.hold = acquired;
	}

	private void renew(Hold current, LockRecord record) {
		if (this.hold != current) {
			return;
		}
		try {
			current.revision = renewal(record, current.revision);
			current.renewedAt = System.nanoTime();
		}
		catch (CoordinatorConflictException ex) {
			logger.error("Lock '{}' was taken from this node (its renewals were late); it is no longer held", this.key);
			lose(current);
		}
		catch (RuntimeException ex) {
			if (current.lapsed()) {
				logger.error("Lock '{}' could not be renewed for two thirds of its TTL ({}); this node no longer holds it",
						this.key, ex.getMessage());
				lose(current);
			}
			else {
				logger.warn("Renewing lock '{}' failed ({}); trying again", this.key, ex.getMessage());
			}
		}
	}

	/**
	 * Renews the record silently at the revision last written; renewals are housekeeping, not traced or timed.
	 */
	private long renewal(LockRecord record, long revision) {
		return UnobservedWrites.call(() -> this.coordinator.update(this.key, json(record), revision, false));
	}

	private void lose(Hold current) {
		current.renewal.cancel(false);
		if (this.hold == current) {
			this.hold = null;
		}
	}

	private byte[] json(LockRecord record) {
		return this.coordinator.jsonCodec().write(record);
	}

	private Duration holderTtl(long revision, Duration fallback) {
		Optional<CoordinatorEntry> entry = this.coordinator.get(this.key);
		if (entry.isEmpty() || entry.get().revision() != revision) {
			return fallback;
		}
		try {
			return Duration.ofMillis(entry.get().valueAs(LockRecord.class).ttlMillis());
		}
		catch (RuntimeException ex) {
			return fallback;
		}
	}

	private void freeExpired(long revision) {
		try {
			this.coordinator.delete(this.key, revision);
			logger.info("Lock '{}' was not renewed for its TTL: its holder is gone, and the lock is free", this.key);
		}
		catch (CoordinatorConflictException ex) {
			// Renewed or released meanwhile.
		}
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

	/**
	 * One hold of the lock.
	 */
	private static final class Hold {

		final long token;

		volatile long lapseAfterNanos;

		volatile long revision;

		volatile long renewedAt = System.nanoTime();

		volatile @Nullable ScheduledFuture<?> renewal;

		Hold(long token, Duration ttl) {
			this.token = token;
			this.revision = token;
			this.lapseAfterNanos = ttl.multipliedBy(2).dividedBy(3).toNanos();
		}

		boolean lapsed() {
			return System.nanoTime() - this.renewedAt > this.lapseAfterNanos;
		}

	}

}
