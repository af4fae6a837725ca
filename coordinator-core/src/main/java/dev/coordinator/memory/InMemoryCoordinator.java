package dev.coordinator.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorJsonCodec;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorSyncedEvent;
import dev.coordinator.CoordinatorView;
import dev.coordinator.Registration;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.listener.CoordinatorErrorHandler;
import dev.coordinator.listener.CoordinatorListenerRegistry;
import dev.coordinator.listener.DefaultCoordinatorErrorHandler;
import dev.coordinator.listener.EventDispatcher;
import dev.coordinator.listener.InitialStateTracker;
import dev.coordinator.listener.LocalView;
import dev.coordinator.listener.WatchRegistry;
import dev.coordinator.nats.KeyCodec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * A {@link Coordinator} held in this JVM, without a server: for tests, and for applications that run as one
 * process. Nodes that share an {@link InMemoryStore} form a cluster within the JVM.
 *
 * <p>It keeps the contract of the NATS coordinator: a write is stored (with a revision from the store's one
 * counter) before it returns, compare-and-set writes fail with {@code CoordinatorConflictException} as on the
 * server, keys are validated by the same rules, and events are delivered asynchronously, on a thread of this
 * node's own, in revision order, through the same {@link EventDispatcher} as the NATS event reader: listener
 * order, failure isolation, the {@link CoordinatorErrorHandler}, initial state and
 * {@link CoordinatorSyncedEvent} behave alike. This node receives every change stored after it was created;
 * {@link #start()} (late in the application's start-up, as the NATS event reader) delivers the initial state,
 * announces {@code CoordinatorSyncedEvent}, then the changes. {@link #stop()} delivers the changes stored before
 * it was called, then ends.
 *
 * <p>What it does not have: durability (the state lives as long as the store), dead-letter streams (a listener
 * given up is logged and announced as a {@code CoordinatorListenerFailedEvent}), value size limits of a server,
 * and the faults a network brings. Membership and locks run on it unchanged: their expiry is decided by the live
 * nodes' clocks, not by the server.
 */
public class InMemoryCoordinator implements Coordinator, SmartLifecycle, DisposableBean {

	/** Phase of the coordinator's event delivery, that of the NATS event reader. */
	public static final int DEFAULT_PHASE = Integer.MAX_VALUE - 100;

	private static final Logger logger = LoggerFactory.getLogger(InMemoryCoordinator.class);

	private static final Duration POLL = Duration.ofMillis(50);

	private final String nodeId;

	private final InMemoryStore store;

	private volatile CoordinatorJsonCodec jsonCodec = new Jackson2JsonCodec();

	private final WatchRegistry watches = new WatchRegistry();

	private final EventDispatcher dispatcher;

	private final List<LocalView> views = new CopyOnWriteArrayList<>();

	/** Changes stored since this node was created and not yet delivered, in revision order. */
	private final LinkedBlockingQueue<InMemoryStore.Change> received = new LinkedBlockingQueue<>();

	private final Consumer<InMemoryStore.Change> subscription = this.received::add;

	private final ReentrantLock lifecycleLock = new ReentrantLock();

	private Duration shutdownTimeout = Duration.ofSeconds(10);

	private volatile boolean synced;

	private @Nullable Reader reader;

	/**
	 * Creates a node whose events reach watches only: no listener methods, no application events, failing
	 * handlers retried and then logged. For code that uses a {@code Coordinator} without Spring; call
	 * {@link #start()} to have events delivered.
	 * @param nodeId the id of this node
	 * @param store the store this node shares with the other nodes
	 */
	public InMemoryCoordinator(String nodeId, InMemoryStore store) {
		this(nodeId, store, (event) -> {
		}, new CoordinatorListenerRegistry(), new DefaultCoordinatorErrorHandler(new InMemoryRecoverer((event) -> {
		})));
	}

	/**
	 * Creates a node whose events reach the {@code @CoordinatorListener} methods of a registry and the
	 * application's listeners, as the NATS event reader delivers them.
	 * @param nodeId the id of this node
	 * @param store the store this node shares with the other nodes
	 * @param publisher the application context, for plain listeners and {@code CoordinatorSyncedEvent}
	 * @param listeners the {@code @CoordinatorListener} methods, from the {@code CoordinatorListenerFactory}
	 * @param errorHandler handles failing listener calls
	 */
	public InMemoryCoordinator(String nodeId, InMemoryStore store, ApplicationEventPublisher publisher,
			CoordinatorListenerRegistry listeners, CoordinatorErrorHandler errorHandler) {
		if (nodeId == null || nodeId.isBlank()) {
			throw new IllegalArgumentException("Node id must not be empty");
		}
		this.nodeId = nodeId;
		this.store = Objects.requireNonNull(store, "store");
		this.dispatcher = new EventDispatcher(publisher, listeners, this.watches, errorHandler);
		store.subscribe(this.subscription);
	}

	/**
	 * Sets how long {@link #stop()} waits for the listeners to finish the changes stored before it (10 s by
	 * default).
	 * @param shutdownTimeout the timeout
	 */
	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
	}

	/**
	 * Sets the codec of {@link #putJson} and {@code valueAs} (the library's {@link Jackson2JsonCodec} by
	 * default); set it before the node is used.
	 * @param jsonCodec the codec
	 */
	public void setJsonCodec(CoordinatorJsonCodec jsonCodec) {
		this.jsonCodec = Objects.requireNonNull(jsonCodec, "jsonCodec");
	}

	@Override
	public String nodeId() {
		return this.nodeId;
	}

	@Override
	public CoordinatorJsonCodec jsonCodec() {
		return this.jsonCodec;
	}

	@Override
	public long put(String key, byte[] value, boolean notify) {
		return this.store.put(key, checked(key, value), null, this.nodeId, notify);
	}

	@Override
	public CompletableFuture<Long> putAsync(String key, byte[] value) {
		return CompletableFuture.completedFuture(put(key, value, true));
	}

	@Override
	public long create(String key, byte[] value, boolean notify) {
		return this.store.put(key, checked(key, value), 0L, this.nodeId, notify);
	}

	@Override
	public long update(String key, byte[] value, long expectedRevision, boolean notify) {
		requireRevision(expectedRevision);
		return this.store.put(key, checked(key, value), expectedRevision, this.nodeId, notify);
	}

	@Override
	public long delete(String key, long expectedRevision, boolean notify) {
		KeyCodec.encode(key);
		requireRevision(expectedRevision);
		return this.store.delete(key, expectedRevision, this.nodeId, notify);
	}

	@Override
	public boolean delete(String key, boolean notify) {
		KeyCodec.encode(key);
		return this.store.delete(key, null, this.nodeId, notify) > 0;
	}

	@Override
	public int deletePrefix(String prefix) {
		int deleted = 0;
		for (String key : keys(prefix)) {
			if (delete(key, true)) {
				deleted++;
			}
		}
		return deleted;
	}

	@Override
	public Optional<CoordinatorEntry> get(String key) {
		KeyCodec.encode(key);
		return this.store.get(key, this.jsonCodec);
	}

	@Override
	public List<String> keys(String prefix) {
		KeyCodec.requireValidPrefix(prefix);
		return this.store.list(prefix, this.jsonCodec).entries().stream().map(CoordinatorEntry::key).toList();
	}

	@Override
	public List<CoordinatorEntry> list(String prefix) {
		KeyCodec.requireValidPrefix(prefix);
		return this.store.list(prefix, this.jsonCodec).entries();
	}

	@Override
	public CoordinatorView view(String prefix) {
		KeyCodec.requireValidPrefix(prefix);
		LocalView view = new LocalView(prefix, this.views::remove);
		// Registered before the listing: changes after it reach the view through the reader, older ones lose.
		this.views.add(view);
		InMemoryStore.Listing listing = this.store.list(prefix, this.jsonCodec);
		view.fill(listing.entries(), listing.revision());
		return view;
	}

	@Override
	public Registration watch(String prefix, Consumer<CoordinatorEvent> handler) {
		KeyCodec.requireValidPrefix(prefix);
		Objects.requireNonNull(handler, "handler");
		return this.watches.register(prefix, handler);
	}

	private static byte[] checked(String key, byte[] value) {
		KeyCodec.encode(key);
		if (value == null) {
			throw new IllegalArgumentException("Value for key '" + key + "' is null; use an empty array for an empty value");
		}
		return value;
	}

	private static void requireRevision(long expectedRevision) {
		if (expectedRevision < 0) {
			throw new IllegalArgumentException("Expected revision must be a revision read from the key, not "
					+ expectedRevision);
		}
	}

	/**
	 * Starts delivering on a thread of its own: the initial state and {@code CoordinatorSyncedEvent} at the first
	 * start, then the changes. After a {@link #stop()} that timed out, the new thread first waits for the previous
	 * one to end.
	 */
	@Override
	public void start() {
		this.lifecycleLock.lock();
		try {
			if (this.reader != null && this.reader.active) {
				return;
			}
			Reader previous = this.reader;
			Reader next = new Reader((previous != null) ? previous.thread : null);
			this.reader = next;
			next.thread.start();
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	/**
	 * Delivers the changes stored before this call, then ends delivery; waits at most the shutdown timeout.
	 * Changes stored later are delivered after the next {@link #start()}.
	 */
	@Override
	public void stop() {
		Reader stopping;
		this.lifecycleLock.lock();
		try {
			stopping = this.reader;
			if (stopping == null || !stopping.active) {
				return;
			}
			stopping.stopAfter = this.store.lastRevision();
			stopping.active = false;
		}
		finally {
			this.lifecycleLock.unlock();
		}
		try {
			stopping.thread.join(this.shutdownTimeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (stopping.thread.isAlive()) {
			logger.warn("Event delivery of in-memory node '{}' did not stop within {}; a listener is still running",
					this.nodeId, this.shutdownTimeout);
		}
	}

	@Override
	public boolean isRunning() {
		Reader current = this.reader;
		return current != null && current.active;
	}

	@Override
	public int getPhase() {
		return DEFAULT_PHASE;
	}

	/**
	 * Stops delivery and leaves the store: this node receives no further changes.
	 */
	@Override
	public void destroy() {
		stop();
		this.store.unsubscribe(this.subscription);
		this.received.clear();
		this.views.clear();
		this.watches.clear();
	}

	private void run(Reader self) {
		try {
			self.awaitPrevious();
			if (!this.synced) {
				synchronize();
				this.synced = true;
			}
			while (true) {
				if (!self.active) {
					InMemoryStore.Change next = this.received.peek();
					if (next == null || next.revision() > self.stopAfter) {
						return;
					}
				}
				InMemoryStore.Change change = this.received.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
				if (change != null) {
					process(change);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Delivers the stored entries under the initial-state prefixes, as one consistent listing, then announces
	 * {@code CoordinatorSyncedEvent}. Changes after the listing's revision follow as events; the initial-state
	 * listeners skip those the listing already held.
	 */
	private void synchronize() {
		InitialStateTracker tracker = this.dispatcher.initialState();
		tracker.setPrefixes(this.dispatcher.initialStatePrefixes());
		InMemoryStore.Listing listing = this.store.list(tracker.prefixes(), this.jsonCodec);
		InitialStateTracker.Differences differences = tracker.reconcile(listing.entries(), listing.revision());
		for (CoordinatorEntry entry : differences.changed()) {
			this.dispatcher.replay(new CoordinatorEvent(this, entry.key(), CoordinatorAction.PUT, entry.value().clone(),
					entry.revision(), null, entry.created(), false, true));
		}
		for (String key : differences.vanished()) {
			this.dispatcher.replay(new CoordinatorEvent(this, key, CoordinatorAction.DELETE, null, listing.revision(),
					null, Instant.now(), false, true));
		}
		if (!tracker.prefixes().isEmpty()) {
			logger.debug("Replayed {} entries under {} to initial-state listeners of in-memory node '{}'; in sync at "
					+ "revision {}", differences.changed().size(), tracker.prefixes(), this.nodeId, listing.revision());
		}
		this.dispatcher.publish(new CoordinatorSyncedEvent(this, listing.revision()));
	}

	private void process(InMemoryStore.Change change) {
		try {
			CoordinatorEvent event = new CoordinatorEvent(this, change.key(), change.action(),
					(change.value() != null) ? change.value().clone() : null, change.revision(), change.origin(),
					change.writtenAt(), this.nodeId.equals(change.origin()));
			for (LocalView view : this.views) {
				if (view.covers(change.key())) {
					view.apply(event);
				}
			}
			if (change.notifyListeners()) {
				this.dispatcher.dispatch(event);
			}
			else {
				this.dispatcher.silent(change.key(), change.action(), change.revision());
			}
		}
		catch (Throwable ex) {
			logger.error("Delivering revision {} of key '{}' to in-memory node '{}' failed; delivery goes on with the "
					+ "next change. Please report this as a defect of the coordinator.", change.revision(), change.key(),
					this.nodeId, ex);
			this.dispatcher.initialState().unsure(change.key());
		}
		for (LocalView view : this.views) {
			view.advance(change.revision());
		}
	}

	@Override
	public String toString() {
		return "InMemoryCoordinator[node=" + this.nodeId + ", " + this.store + "]";
	}

	/**
	 * One run of the delivery thread, from a start to the end that follows a stop.
	 */
	private final class Reader {

		final Thread thread;

		private final @Nullable Thread previous;

		volatile boolean active = true;

		volatile long stopAfter = Long.MAX_VALUE;

		Reader(@Nullable Thread previous) {
			this.previous = previous;
			this.thread = new Thread(() -> run(this), "coordinator-in-memory-" + InMemoryCoordinator.this.nodeId + "-events");
			this.thread.setDaemon(true);
		}

		void awaitPrevious() throws InterruptedException {
			if (this.previous != null) {
				this.previous.join();
			}
		}

	}

}
