package dev.coordinator.membership;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorConflictException;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.Registration;
import dev.coordinator.observation.UnobservedWrites;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Membership on compare-and-set writes, for nats-server 2.9, which has no per-message TTL (and a bucket's max
 * age removes entries without an event):
 * <ul>
 * <li>a node registers {@code <prefix><node-id>} when it starts ({@code create}, an event), renews it every
 * heartbeat silently with {@code update} at the revision it last wrote (so a renewal can never revive a record
 * that a live node has just removed), and deletes it when it shuts down (an event: the member LEFT);
 * <li>every node lists the records every heartbeat, and a record whose revision did not change for the lease
 * time by this node's own monotonic clock is removed with {@code delete} at that revision: one node wins, so
 * there is exactly one DELETE event per death (the member EXPIRED), and none when the member renewed in time;
 * <li>a node whose renewals fail for longer than the lease time less a heartbeat knows that it lost its lease
 * before any other node acts, and one that finds its record removed while it runs registers again;
 * <li>a node whose record exists and is renewed by another live process refuses to start: two processes have
 * the same node id.
 * </ul>
 * {@link #members()} and the {@link MemberJoinedEvent} / {@link MemberLeftEvent} it publishes follow the events
 * of the prefix.
 */
public class CoordinatorMembership implements ClusterMembership, SmartLifecycle {

	/** Started after the event reader, stopped before it, so that its own deletion is still delivered. */
	public static final int PHASE = Integer.MAX_VALUE - 50;

	private static final Logger logger = LoggerFactory.getLogger(CoordinatorMembership.class);

	private final Coordinator coordinator;

	private final MembershipSettings settings;

	private final ApplicationEventPublisher publisher;

	private final Supplier<Member> self;

	private final String key;

	private final Map<String, Member> members = new ConcurrentHashMap<>();

	private final Map<String, Long> memberRevisions = new ConcurrentHashMap<>();

	/** Records of other nodes as the last listing showed them, with when their revision last changed. */
	private final Map<String, Observed> observed = new HashMap<>();

	private volatile @Nullable Member registered;

	private volatile long ownRevision;

	private volatile long lastRenewed;

	private volatile boolean running;

	private @Nullable Registration watch;

	private @Nullable ScheduledExecutorService heartbeats;

	/**
	 * Creates a membership.
	 * @param coordinator where the records are written and read
	 * @param settings the settings
	 * @param publisher where the member events are published
	 * @param self describes this node when it registers
	 */
	public CoordinatorMembership(Coordinator coordinator, MembershipSettings settings, ApplicationEventPublisher publisher,
			Supplier<Member> self) {
		this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
		this.settings = Objects.requireNonNull(settings, "settings");
		this.publisher = Objects.requireNonNull(publisher, "publisher");
		this.self = Objects.requireNonNull(self, "self");
		this.key = settings.prefix() + coordinator.nodeId();
	}

	@Override
	public Map<String, Member> members() {
		return Map.copyOf(this.members);
	}

	/**
	 * Returns this node as a member: empty before it registered, and as soon as its last successful renewal is
	 * older than the lease time less a heartbeat, even while a renewal is still waiting for the server, so that
	 * the node knows it lost its lease before any other node removes it.
	 */
	@Override
	public Optional<Member> self() {
		Member member = this.registered;
		if (member == null || leaseLapsed()) {
			return Optional.empty();
		}
		return Optional.of(member);
	}

	private boolean leaseLapsed() {
		return System.nanoTime() - this.lastRenewed > this.settings.leaseTtl().minus(this.settings.heartbeat()).toNanos();
	}

	/**
	 * Registers this node, after checking that no other live process has its id, and starts renewing.
	 * @throws DuplicateNodeIdException when another live process renews this node's record
	 */
	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.watch = this.coordinator.watch(this.settings.prefix(), this::onEvent);
		for (CoordinatorEntry entry : this.coordinator.list(this.settings.prefix())) {
			apply(entry.key(), CoordinatorAction.PUT, entry.value(), entry.revision(), null);
		}
		register();
		this.running = true;
		ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "coordinator-membership");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.settings.heartbeat().toMillis();
		timer.scheduleWithFixedDelay(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
		this.heartbeats = timer;
	}

	/**
	 * Stops renewing and deletes this node's record: the other nodes see it leave.
	 */
	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		ScheduledExecutorService timer = this.heartbeats;
		if (timer != null) {
			timer.shutdownNow();
			try {
				timer.awaitTermination(this.settings.leaseTtl().toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.registered != null) {
			try {
				this.coordinator.delete(this.key, this.ownRevision);
			}
			catch (RuntimeException ex) {
				logger.warn("Could not delete the membership record '{}' of this node ({}); the other nodes remove it "
						+ "after {}", this.key, ex.getMessage(), this.settings.leaseTtl());
			}
			this.registered = null;
		}
		Registration current = this.watch;
		if (current != null) {
			current.close();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private void register() {
		Member member = this.self.get();
		byte[] record = json(member);
		try {
			this.ownRevision = this.coordinator.create(this.key, record);
		}
		catch (CoordinatorConflictException conflict) {
			long found = conflict.getCurrentRevision().orElse(0);
			// A record of this id exists: this node's own from before it was killed, or another live process's.
			awaitQuietly(this.settings.heartbeat().multipliedBy(3).dividedBy(2));
			long now = this.coordinator.get(this.key).map(CoordinatorEntry::revision).orElse(0L);
			if (now != found) {
				throw new DuplicateNodeIdException(this.coordinator.nodeId(), this.key);
			}
			this.ownRevision = (found == 0) ? this.coordinator.create(this.key, record)
					: this.coordinator.update(this.key, record, found);
		}
		this.registered = member;
		this.lastRenewed = System.nanoTime();
		logger.info("Node '{}' is a member ({}); it renews its record every {}", this.coordinator.nodeId(), this.key,
				this.settings.heartbeat());
	}

	/**
	 * Renews this node's record and removes the records of members that stopped renewing theirs. Nothing it
	 * meets ends the heartbeats.
	 */
	private void heartbeat() {
		try {
			renew();
		}
		catch (RuntimeException ex) {
			if (stopping(ex)) {
				return;
			}
			logger.warn("Renewing the membership of node '{}' failed: {}", this.coordinator.nodeId(), ex.getMessage());
			if (this.registered != null && leaseLapsed()) {
				logger.error("Node '{}' could not renew its membership for {} ms: it has lost its lease, and the other "
						+ "nodes remove it; it registers again once it can", this.coordinator.nodeId(),
						TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.lastRenewed));
				this.registered = null;
			}
		}
		try {
			expireOthers();
		}
		catch (RuntimeException ex) {
			if (stopping(ex)) {
				return;
			}
			logger.warn("Looking for expired members under '{}' failed: {}", this.settings.prefix(), ex.getMessage());
		}
	}

	/**
	 * Returns whether a heartbeat failed because {@link #stop()} interrupted it, which is no failure to report.
	 */
	private boolean stopping(RuntimeException failure) {
		if (this.running) {
			return false;
		}
		logger.debug("A heartbeat of node '{}' ended by stopping: {}", this.coordinator.nodeId(), failure.getMessage());
		return true;
	}

	private void renew() {
		if (this.registered == null) {
			register();
			return;
		}
		try {
			// A renewal every heartbeat is housekeeping: not traced, not timed.
			this.ownRevision = UnobservedWrites
				.call(() -> this.coordinator.update(this.key, json(this.registered), this.ownRevision, false));
			this.lastRenewed = System.nanoTime();
		}
		catch (CoordinatorConflictException conflict) {
			if (conflict.getCurrentRevision().isEmpty()) {
				logger.warn("The membership record of node '{}' was removed while it runs (its renewals were late); it "
						+ "registers again", this.coordinator.nodeId());
				this.registered = null;
				register();
			}
			else {
				logger.error("The membership record '{}' was written by someone else (revision {}): is another process "
						+ "running with node id '{}'?", this.key, conflict.getCurrentRevision().getAsLong(),
						this.coordinator.nodeId());
				this.ownRevision = conflict.getCurrentRevision().getAsLong();
			}
		}
	}

	private void expireOthers() {
		long now = System.nanoTime();
		Map<String, Long> listed = new HashMap<>();
		for (CoordinatorEntry entry : this.coordinator.list(this.settings.prefix())) {
			if (!entry.key().equals(this.key)) {
				listed.put(entry.key(), entry.revision());
			}
		}
		this.observed.keySet().retainAll(listed.keySet());
		listed.forEach((recordKey, revision) -> {
			Observed before = this.observed.get(recordKey);
			if (before == null || before.revision() != revision) {
				this.observed.put(recordKey, new Observed(revision, now));
			}
			else if (now - before.since() > this.settings.leaseTtl().toNanos()) {
				try {
					this.coordinator.delete(recordKey, revision);
					logger.info("Removed member '{}': its record was not renewed for {}", recordKey,
							this.settings.leaseTtl());
				}
				catch (CoordinatorConflictException ex) {
					// Renewed meanwhile, or removed by another node: nothing to do.
				}
				this.observed.remove(recordKey);
			}
		});
	}

	private void onEvent(CoordinatorEvent event) {
		apply(event.getKey(), event.getAction(), event.getValue(), event.getRevision(), event.getOrigin());
	}

	private void apply(String recordKey, CoordinatorAction action, byte @Nullable [] value, long revision,
			@Nullable String origin) {
		Long known = this.memberRevisions.get(recordKey);
		if (known != null && known >= revision) {
			return;
		}
		String nodeId = recordKey.substring(this.settings.prefix().length());
		if (action == CoordinatorAction.PUT && value != null) {
			this.memberRevisions.put(recordKey, revision);
			Member member = read(recordKey, value);
			if (member != null && this.members.put(nodeId, member) == null) {
				publish(new MemberJoinedEvent(this, member));
			}
		}
		else {
			this.memberRevisions.remove(recordKey);
			Member member = this.members.remove(nodeId);
			if (member != null) {
				publish(new MemberLeftEvent(this, member,
						nodeId.equals(origin) ? MemberLeftEvent.Reason.LEFT : MemberLeftEvent.Reason.EXPIRED));
			}
		}
	}

	private @Nullable Member read(String recordKey, byte[] value) {
		try {
			return this.coordinator.jsonCodec().read(value, Member.class);
		}
		catch (RuntimeException ex) {
			logger.warn("Ignoring '{}' under the membership prefix: it is not a member record ({})", recordKey,
					ex.getMessage());
			return null;
		}
	}

	private void publish(Object event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.error("A listener of {} threw; membership goes on", event.getClass().getSimpleName(), ex);
		}
	}

	private byte[] json(Member member) {
		return this.coordinator.jsonCodec().write(member);
	}

	private static void awaitQuietly(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A record of another node and when this node saw its revision change, by its own monotonic clock.
	 */
	private record Observed(long revision, long since) {
	}

	/**
	 * Returns a member describing this node, for {@link #CoordinatorMembership}.
	 * @param nodeId the node id
	 * @param host the host name
	 * @param webPort the web port, or {@code null}
	 * @param metadata the metadata
	 * @return the member, started now
	 */
	public static Member describe(String nodeId, String host, @Nullable Integer webPort, Map<String, String> metadata) {
		return describe(nodeId, host, webPort, metadata, null);
	}

	/**
	 * Returns a member describing this node, with the public key that verifies its signed writes.
	 * @param nodeId the node id
	 * @param host the host name
	 * @param webPort the web port, or {@code null}
	 * @param metadata the metadata
	 * @param publicKey the public NKey of its {@code coordinator.origin.sign} key, or {@code null} when it does not
	 * sign
	 * @return the member, started now
	 */
	public static Member describe(String nodeId, String host, @Nullable Integer webPort, Map<String, String> metadata,
			@Nullable String publicKey) {
		return new Member(nodeId, host, webPort, Instant.now(), metadata, publicKey);
	}

}
