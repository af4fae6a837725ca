package dev.coordinator.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorConflictException;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorJsonCodec;
import org.jspecify.annotations.Nullable;

/**
 * The shared state of {@link InMemoryCoordinator}s in one JVM, what a NATS bucket and its stream are to the NATS
 * coordinators: the latest entry of every key, and one revision counter for all writes, like a stream's
 * sequence. Each write is stored and handed to every coordinator of the store in one step, so every node
 * receives the changes in revision order. Nodes that share a store see each other's writes, which makes
 * membership and locks meaningful in one JVM; give each test its own store for a clean start.
 */
public final class InMemoryStore {

	private final Object lock = new Object();

	private final TreeMap<String, Stored> entries = new TreeMap<>();

	private final List<Consumer<Change>> subscribers = new CopyOnWriteArrayList<>();

	private long lastRevision;

	/**
	 * Returns the revision of the last write, 0 before the first.
	 * @return the last revision
	 */
	public long lastRevision() {
		synchronized (this.lock) {
			return this.lastRevision;
		}
	}

	/**
	 * Reads the entry of a key, as a copy that reads JSON with a codec.
	 */
	Optional<CoordinatorEntry> get(String key, CoordinatorJsonCodec codec) {
		synchronized (this.lock) {
			return Optional.ofNullable(this.entries.get(key)).map((stored) -> stored.entry(key, codec));
		}
	}

	/**
	 * Lists the entries under a prefix, with the last revision: every change up to it is in the listing.
	 */
	Listing list(String prefix, CoordinatorJsonCodec codec) {
		synchronized (this.lock) {
			return new Listing(under(prefix, codec), this.lastRevision);
		}
	}

	/**
	 * Lists the entries under several prefixes in one step, with the last revision.
	 */
	Listing list(Collection<String> prefixes, CoordinatorJsonCodec codec) {
		synchronized (this.lock) {
			List<CoordinatorEntry> found = new ArrayList<>();
			prefixes.forEach((prefix) -> found.addAll(under(prefix, codec)));
			return new Listing(found, this.lastRevision);
		}
	}

	/**
	 * Stores a value.
	 * @param expected the revision the key must have, 0 for absent (as a stream's expected last subject
	 * sequence), {@code null} for any
	 */
	long put(String key, byte[] value, @Nullable Long expected, @Nullable String origin, boolean notify) {
		synchronized (this.lock) {
			check(key, expected);
			long revision = ++this.lastRevision;
			Stored stored = new Stored(value.clone(), revision, Instant.now());
			this.entries.put(key, stored);
			announce(new Change(key, CoordinatorAction.PUT, stored.value(), revision, origin, stored.created(), notify));
			return revision;
		}
	}

	/**
	 * Deletes a key.
	 * @param expected the revision the key must have, 0 for absent, {@code null} for whatever it has
	 * @return the revision of the deletion, or -1 when the key was absent and no revision was expected
	 */
	long delete(String key, @Nullable Long expected, @Nullable String origin, boolean notify) {
		synchronized (this.lock) {
			if (expected == null && !this.entries.containsKey(key)) {
				return -1;
			}
			if (expected != null) {
				check(key, expected);
			}
			long revision = ++this.lastRevision;
			this.entries.remove(key);
			announce(new Change(key, CoordinatorAction.DELETE, null, revision, origin, Instant.now(), notify));
			return revision;
		}
	}

	/**
	 * Hands every later write to a subscriber, in revision order, while the store's lock is held: the subscriber
	 * must only queue it.
	 */
	void subscribe(Consumer<Change> subscriber) {
		synchronized (this.lock) {
			this.subscribers.add(subscriber);
		}
	}

	void unsubscribe(Consumer<Change> subscriber) {
		this.subscribers.remove(subscriber);
	}

	private void check(String key, @Nullable Long expected) {
		if (expected == null) {
			return;
		}
		Stored current = this.entries.get(key);
		long revision = (current != null) ? current.revision() : 0;
		if (revision != expected) {
			throw new CoordinatorConflictException(key, (expected == 0) ? "absent" : "at revision " + expected,
					(current != null) ? OptionalLong.of(current.revision()) : OptionalLong.empty());
		}
	}

	private void announce(Change change) {
		for (Consumer<Change> subscriber : this.subscribers) {
			subscriber.accept(change);
		}
	}

	private List<CoordinatorEntry> under(String prefix, CoordinatorJsonCodec codec) {
		List<CoordinatorEntry> found = new ArrayList<>();
		for (Map.Entry<String, Stored> entry : this.entries.tailMap(prefix, true).entrySet()) {
			if (!entry.getKey().startsWith(prefix)) {
				break;
			}
			found.add(entry.getValue().entry(entry.getKey(), codec));
		}
		return found;
	}

	@Override
	public String toString() {
		synchronized (this.lock) {
			return "InMemoryStore[" + this.entries.size() + " keys, revision " + this.lastRevision + "]";
		}
	}

	/**
	 * The latest value of a key. Coordinators get copies as entries that read JSON with their own codec.
	 */
	private record Stored(byte[] value, long revision, Instant created) {

		CoordinatorEntry entry(String key, CoordinatorJsonCodec codec) {
			return new CoordinatorEntry(key, this.value.clone(), this.revision, this.created, codec);
		}

	}

	/**
	 * One write, as every coordinator of the store receives it.
	 */
	record Change(String key, CoordinatorAction action, byte @Nullable [] value, long revision,
			@Nullable String origin, Instant writtenAt, boolean notifyListeners) {
	}

	/**
	 * Entries under a prefix, sorted by key, and the revision the listing reflects.
	 */
	record Listing(List<CoordinatorEntry> entries, long revision) {
	}

}
