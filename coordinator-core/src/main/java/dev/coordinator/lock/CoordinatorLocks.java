package dev.coordinator.lock;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.InvalidSettingException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The cluster-wide locks of a coordinator, whose records live under a prefix ({@code coordinator.locks.prefix},
 * default {@code /locks/}), and leader election on them.
 */
public class CoordinatorLocks implements DisposableBean {

	private final Coordinator coordinator;

	private final String prefix;

	private final ApplicationEventPublisher publisher;

	private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "coordinator-locks");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<String, CoordinatorLock> locks = new ConcurrentHashMap<>();

	private final Map<String, Leadership> leaderships = new ConcurrentHashMap<>();

	/**
	 * Creates the locks of a coordinator.
	 * @param coordinator where the lock records are written
	 * @param prefix the prefix of the lock records, ending with {@code /}
	 * @param publisher where leadership events are published
	 */
	public CoordinatorLocks(Coordinator coordinator, String prefix, ApplicationEventPublisher publisher) {
		this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
		if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
			throw new InvalidSettingException("prefix", prefix,
					"Lock prefix must start and end with '/', e.g. '/locks/', not '" + prefix + "'");
		}
		this.prefix = prefix;
		this.publisher = Objects.requireNonNull(publisher, "publisher");
	}

	/**
	 * Returns the prefix of the lock records.
	 * @return the prefix, e.g. {@code /locks/}
	 */
	public String getPrefix() {
		return this.prefix;
	}

	/**
	 * Reads who holds a lock from an entry listed under the {@link #getPrefix() prefix}.
	 * @param entry the entry
	 * @return the holder, or empty when the entry is not a lock record
	 */
	public Optional<LockHolder> holder(CoordinatorEntry entry) {
		if (!entry.key().startsWith(this.prefix)) {
			return Optional.empty();
		}
		LockRecord record;
		try {
			record = entry.valueAs(LockRecord.class);
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
		if (record.holder() == null) {
			return Optional.empty();
		}
		long token = (record.token() != null) ? record.token() : entry.revision();
		return Optional.of(new LockHolder(entry.key().substring(this.prefix.length()), record.holder(), token,
				entry.created(), Duration.ofMillis(record.ttlMillis())));
	}

	/**
	 * Returns the lock of a name; the same object for the same name.
	 * @param name the lock's name: one or more key segments, e.g. {@code nightly-report}
	 * @return the lock
	 */
	public CoordinatorLock obtain(String name) {
		if (name == null || name.isEmpty() || name.startsWith("/") || name.endsWith("/")) {
			throw new IllegalArgumentException("Invalid lock name '" + name + "': use key segments such as "
					+ "'nightly-report', without a leading or trailing '/'");
		}
		return this.locks.computeIfAbsent(name,
				(ignored) -> new CoordinatorLock(this.coordinator, this.prefix + name, this.renewals));
	}

	/**
	 * Returns the leadership of a role, elected on the lock {@code leader/<role>}; start it to take part.
	 * @param role the role, e.g. {@code scheduler}
	 * @param ttl how long a leader that stopped renewing keeps the role
	 * @return the leadership
	 */
	public Leadership leader(String role, Duration ttl) {
		return this.leaderships.computeIfAbsent(role,
				(ignored) -> new Leadership(role, obtain("leader/" + role), ttl, this.coordinator.nodeId(), this.publisher));
	}

	/**
	 * Returns the locks this node holds now, leaderships included.
	 * @return the locks held, in no particular order
	 */
	public List<CoordinatorLock> held() {
		return this.locks.values().stream().filter(CoordinatorLock::isHeld).toList();
	}

	/**
	 * Ends every leadership and releases every lock this node holds.
	 */
	@Override
	public void destroy() {
		this.leaderships.values().forEach(Leadership::stop);
		this.locks.values().forEach(CoordinatorLock::unlock);
		this.renewals.shutdownNow();
	}

}
