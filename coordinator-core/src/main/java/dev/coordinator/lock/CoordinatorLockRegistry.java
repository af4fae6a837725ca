package dev.coordinator.lock;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;

/**
 * Spring Integration's lock registry on {@link CoordinatorLocks}, as its Redis and JDBC registries are on their
 * stores, so that {@code LockRegistryLeaderInitiator} and everything else that takes a {@code LockRegistry}
 * works across the nodes of a coordinator. Its locks are reentrant and held by the thread that locked them, as
 * those registries' are: within a JVM a local lock orders the threads, across nodes the coordinator's lock.
 */
public class CoordinatorLockRegistry
		implements ExpirableLockRegistry<DistributedLock>, RenewableLockRegistry<DistributedLock> {

	private final CoordinatorLocks locks;

	private final Duration ttl;

	private final Map<String, RegistryLock> obtained = new ConcurrentHashMap<>();

	/**
	 * Creates a registry.
	 * @param locks the coordinator's locks
	 * @param ttl how long a lock stays held after its holder's last renewal, unless a call says otherwise
	 */
	public CoordinatorLockRegistry(CoordinatorLocks locks, Duration ttl) {
		this.locks = Objects.requireNonNull(locks, "locks");
		this.ttl = Objects.requireNonNull(ttl, "ttl");
	}

	@Override
	public DistributedLock obtain(Object lockKey) {
		if (!(lockKey instanceof String name)) {
			throw new IllegalArgumentException("Lock keys of the coordinator's registry are strings, not " + lockKey);
		}
		return this.obtained.computeIfAbsent(name, (ignored) -> new RegistryLock(this.locks.obtain(name)));
	}

	@Override
	public void expireUnusedOlderThan(long age) {
		long now = System.currentTimeMillis();
		this.obtained.values().removeIf((lock) -> !lock.local.isLocked() && now - lock.lastUsed > age);
	}

	@Override
	public void renewLock(Object lockKey) {
		renewLock(lockKey, this.ttl);
	}

	@Override
	public void renewLock(Object lockKey, Duration ttl) {
		RegistryLock lock = this.obtained.get(String.valueOf(lockKey));
		if (lock == null || !lock.local.isHeldByCurrentThread()) {
			throw new IllegalStateException("Lock '" + lockKey + "' is not held by this thread; it cannot be renewed");
		}
		lock.shared.renew(ttl);
	}

	/**
	 * A lock of this registry.
	 */
	private final class RegistryLock implements DistributedLock {

		private final CoordinatorLock shared;

		private final ReentrantLock local = new ReentrantLock();

		private volatile long lastUsed = System.currentTimeMillis();

		RegistryLock(CoordinatorLock shared) {
			this.shared = shared;
		}

		@Override
		public void lock() {
			lock(CoordinatorLockRegistry.this.ttl);
		}

		@Override
		public void lock(Duration ttl) {
			boolean interrupted = false;
			while (true) {
				try {
					lockInterruptibly(ttl);
					break;
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}

		@Override
		public void lockInterruptibly() throws InterruptedException {
			lockInterruptibly(CoordinatorLockRegistry.this.ttl);
		}

		private void lockInterruptibly(Duration ttl) throws InterruptedException {
			this.local.lockInterruptibly();
			if (this.local.getHoldCount() > 1) {
				return;
			}
			try {
				this.shared.lock(ttl);
				this.lastUsed = System.currentTimeMillis();
			}
			catch (InterruptedException | RuntimeException ex) {
				this.local.unlock();
				throw ex;
			}
		}

		@Override
		public boolean tryLock() {
			try {
				return tryLock(Duration.ZERO, CoordinatorLockRegistry.this.ttl);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		@Override
		public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
			return tryLock(Duration.ofNanos(unit.toNanos(time)), CoordinatorLockRegistry.this.ttl);
		}

		@Override
		public boolean tryLock(Duration waitTime, Duration ttl) throws InterruptedException {
			long deadline = System.nanoTime() + waitTime.toNanos();
			if (!this.local.tryLock(waitTime.toNanos(), TimeUnit.NANOSECONDS)) {
				return false;
			}
			if (this.local.getHoldCount() > 1) {
				return true;
			}
			try {
				Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
				if (this.shared.tryLock(left, ttl)) {
					this.lastUsed = System.currentTimeMillis();
					return true;
				}
				this.local.unlock();
				return false;
			}
			catch (InterruptedException | RuntimeException ex) {
				this.local.unlock();
				throw ex;
			}
		}

		@Override
		public void unlock() {
			if (!this.local.isHeldByCurrentThread()) {
				throw new IllegalStateException("Lock '" + this.shared.getKey() + "' is not held by this thread");
			}
			try {
				if (this.local.getHoldCount() == 1) {
					this.shared.unlock();
				}
			}
			finally {
				this.local.unlock();
			}
		}

		@Override
		public Condition newCondition() {
			throw new UnsupportedOperationException("Conditions are not supported by distributed locks");
		}

	}

}
