package dev.coordinator.listener;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorView;
import dev.coordinator.Registration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CoordinatorView}, shared by the coordinator implementations: filled from a listing of the stored
 * entries, then kept current with every change the coordinator's reader processes (silent ones included). A
 * change applied while the listing runs wins over an older listed revision of its key, and a deletion over an
 * older listed entry.
 */
public final class LocalView implements CoordinatorView {

	private static final Logger logger = LoggerFactory.getLogger(LocalView.class);

	private final String prefix;

	private final Consumer<LocalView> onClose;

	/** Replaced whole by {@link #refill}, so that readers see the view before or after it, never between. */
	private volatile Map<String, CoordinatorEntry> entries = new ConcurrentHashMap<>();

	/** Whether a listing was taken in: one that {@link #fill} brings later is older than a refill's. */
	private boolean listed;

	private final List<Consumer<CoordinatorEvent>> callbacks = new CopyOnWriteArrayList<>();

	/** Deletions seen before the listing was merged, by key: they win over older listed entries. */
	private @Nullable Map<String, Long> deletedWhileListing = new HashMap<>();

	private volatile long revision;

	/**
	 * Creates an empty view; {@link #fill} it with a listing.
	 * @param prefix the prefix of the keys it holds
	 * @param onClose told when the view is closed, to stop applying changes to it
	 */
	public LocalView(String prefix, Consumer<LocalView> onClose) {
		this.prefix = prefix;
		this.onClose = onClose;
	}

	/**
	 * Takes in the stored entries.
	 * @param listed the entries under the prefix
	 * @param listedAt the revision of the log the listing contains every change up to
	 */
	public synchronized void fill(List<CoordinatorEntry> listed, long listedAt) {
		if (this.listed) {
			// Refilled from a later listing meanwhile
			return;
		}
		this.listed = true;
		Map<String, Long> deleted = (this.deletedWhileListing != null) ? this.deletedWhileListing : Map.of();
		for (CoordinatorEntry entry : listed) {
			CoordinatorEntry known = this.entries.get(entry.key());
			long deletedAt = deleted.getOrDefault(entry.key(), 0L);
			if ((known == null || known.revision() < entry.revision()) && deletedAt < entry.revision()) {
				this.entries.put(entry.key(), entry);
			}
		}
		this.deletedWhileListing = null;
		this.revision = Math.max(this.revision, listedAt);
	}

	/**
	 * Takes in a change of a key under the prefix.
	 * @param event the change
	 */
	public void apply(CoordinatorEvent event) {
		boolean changed = false;
		synchronized (this) {
			CoordinatorEntry known = this.entries.get(event.getKey());
			if (event.getAction() == CoordinatorAction.PUT && event.getValue() != null) {
				if (known == null || known.revision() < event.getRevision()) {
					this.entries.put(event.getKey(), new CoordinatorEntry(event.getKey(), event.getValue(),
							event.getRevision(), event.getWrittenAt(), ((Coordinator) event.getSource()).jsonCodec()));
					changed = true;
				}
			}
			else {
				if (known != null && known.revision() < event.getRevision()) {
					this.entries.remove(event.getKey());
					changed = true;
				}
				if (this.deletedWhileListing != null) {
					this.deletedWhileListing.merge(event.getKey(), event.getRevision(), Math::max);
				}
			}
			this.revision = Math.max(this.revision, event.getRevision());
		}
		if (!changed) {
			// Already in the view (it came with the listing): callbacks hear of changes to the view only.
			return;
		}
		tell(event);
	}

	private void tell(CoordinatorEvent event) {
		for (Consumer<CoordinatorEvent> callback : this.callbacks) {
			try {
				callback.accept(event);
			}
			catch (RuntimeException ex) {
				logger.error("A change callback of the view of '{}' threw on {} of key '{}'; the view goes on",
						this.prefix, event.getAction(), event.getKey(), ex);
			}
		}
	}

	/**
	 * Takes the stored entries as the whole view, after the log lost revisions the view held: a server came back
	 * without them, and may have given their revisions to other messages, so no revision tells what changed.
	 * Callbacks are told of every key added, changed or removed. Called on the reader thread, which applies no
	 * change meanwhile; a listing that {@link #fill} takes in later is older, and ignored.
	 * @param source the coordinator, the source of the events the callbacks receive
	 * @param listed the entries under the prefix
	 * @param listedAt the revision of the log the listing contains every change up to
	 */
	public void refill(Coordinator source, List<CoordinatorEntry> listed, long listedAt) {
		List<CoordinatorEvent> changes = new ArrayList<>();
		synchronized (this) {
			Map<String, CoordinatorEntry> before = this.entries;
			Map<String, CoordinatorEntry> stored = new ConcurrentHashMap<>();
			for (CoordinatorEntry entry : listed) {
				stored.put(entry.key(), entry);
				CoordinatorEntry known = before.get(entry.key());
				if (known == null || known.revision() != entry.revision() || !known.created().equals(entry.created())
						|| !Arrays.equals(known.value(), entry.value())) {
					changes.add(new CoordinatorEvent(source, entry.key(), CoordinatorAction.PUT, entry.value(),
							entry.revision(), null, entry.created(), false, true));
				}
			}
			Instant now = Instant.now();
			for (String key : before.keySet()) {
				if (!stored.containsKey(key)) {
					changes.add(new CoordinatorEvent(source, key, CoordinatorAction.DELETE, null, listedAt, null, now,
							false, true));
				}
			}
			this.entries = stored;
			this.listed = true;
			this.deletedWhileListing = null;
			this.revision = listedAt;
		}
		changes.forEach(this::tell);
	}

	/**
	 * Moves the view's revision on: every change up to it was applied.
	 * @param processed the last revision the reader processed
	 */
	public void advance(long processed) {
		if (processed > this.revision) {
			this.revision = processed;
		}
	}

	/**
	 * Returns whether a key is under the prefix of this view.
	 * @param key the key
	 * @return whether changes of the key are applied to this view
	 */
	public boolean covers(String key) {
		return key.startsWith(this.prefix);
	}

	@Override
	public String prefix() {
		return this.prefix;
	}

	@Override
	public Optional<CoordinatorEntry> get(String key) {
		return Optional.ofNullable(this.entries.get(key));
	}

	@Override
	public Map<String, CoordinatorEntry> entries() {
		return Collections.unmodifiableMap(new TreeMap<>(this.entries));
	}

	@Override
	public long revision() {
		return this.revision;
	}

	@Override
	public Registration onChange(Consumer<CoordinatorEvent> callback) {
		this.callbacks.add(callback);
		return () -> this.callbacks.remove(callback);
	}

	@Override
	public void close() {
		this.callbacks.clear();
		this.onClose.accept(this);
	}

	@Override
	public String toString() {
		return "CoordinatorView[" + this.prefix + ", " + this.entries.size() + " entries at revision " + this.revision + "]";
	}

}
