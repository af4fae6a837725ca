package dev.coordinator.lock;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Takes part in the election of a role's leader: a thread of its own waits for the role's lock, publishes
 * {@link LeadershipGrantedEvent} once it holds it, watches that it still does, and publishes
 * {@link LeadershipRevokedEvent} when it lost it or is stopped (then it releases the lock). A leader that dies
 * keeps the role until its TTL has passed without renewal; the role is then granted to another node.
 */
public final class Leadership implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(Leadership.class);

	private final String role;

	private final CoordinatorLock lock;

	private final Duration ttl;

	private final String nodeId;

	private final ApplicationEventPublisher publisher;

	private volatile boolean running;

	private volatile boolean leader;

	private @Nullable Thread candidate;

	Leadership(String role, CoordinatorLock lock, Duration ttl, String nodeId, ApplicationEventPublisher publisher) {
		this.role = role;
		this.lock = lock;
		this.ttl = ttl;
		this.nodeId = nodeId;
		this.publisher = publisher;
	}

	/**
	 * Returns whether this node leads the role now.
	 * @return whether it is the leader
	 */
	public boolean isLeader() {
		return this.leader && this.lock.isHeld();
	}

	/**
	 * Returns the fencing token of the current leadership, which grows with every new leader.
	 * @return the token
	 * @throws IllegalStateException when this node is not the leader
	 */
	public long fencingToken() {
		return this.lock.fencingToken();
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		Thread thread = new Thread(this::contend, "coordinator-leader-" + this.role);
		thread.setDaemon(true);
		this.candidate = thread;
		thread.start();
	}

	@Override
	public void stop() {
		Thread thread;
		synchronized (this) {
			if (!this.running) {
				return;
			}
			this.running = false;
			thread = this.candidate;
		}
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(this.ttl.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void contend() {
		Duration check = this.ttl.dividedBy(6);
		boolean interrupted = false;
		long token = -1;
		try {
			while (this.running) {
				if (!this.lock.tryLock(this.ttl, this.ttl)) {
					continue;
				}
				token = this.lock.fencingToken();
				this.leader = true;
				logger.info("Node '{}' leads role '{}' (fencing token {})", this.nodeId, this.role, token);
				publish(new LeadershipGrantedEvent(this, this.role, token));
				while (this.running && this.lock.isHeld()) {
					Thread.sleep(check.toMillis());
				}
				revoke(token);
			}
		}
		catch (InterruptedException ex) {
			// Stopped: release the lock first, then keep the interrupt (a release with it set would fail).
			interrupted = true;
		}
		catch (RuntimeException ex) {
			logger.error("Taking part in the election of role '{}' failed; node '{}' no longer does", this.role,
					this.nodeId, ex);
		}
		finally {
			revoke(token);
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Ends this node's leadership, if it leads: releases the lock (so that another node leads without waiting
	 * for the TTL) and publishes {@link LeadershipRevokedEvent}, also when the release fails.
	 */
	private void revoke(long token) {
		if (!this.leader) {
			return;
		}
		this.leader = false;
		try {
			this.lock.unlock();
		}
		catch (RuntimeException ex) {
			logger.warn("Node '{}' could not release the lock of role '{}' ({}); another node leads once its TTL of {} "
					+ "has passed", this.nodeId, this.role, ex.toString(), this.ttl);
		}
		logger.info("Node '{}' no longer leads role '{}'", this.nodeId, this.role);
		publish(new LeadershipRevokedEvent(this, this.role, token));
	}

	private void publish(Object event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.error("A listener of {} threw", event.getClass().getSimpleName(), ex);
		}
	}

}
