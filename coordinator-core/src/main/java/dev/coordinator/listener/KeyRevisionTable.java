package dev.coordinator.listener;

import java.util.function.Consumer;

/**
 * A map from key to revision for {@link InitialStateTracker}, which holds one entry for every key its listeners
 * hold: open addressing with linear probing over an array of keys and an array of primitive revisions, about
 * 16 bytes per key where a {@code HashMap<String, Long>} takes about 66 (a node, a boxed {@code Long}, a table
 * slot). It keeps the key instance it was first given, so that the {@code String} is shared with the event (and
 * the listener's own state) rather than held twice. Deletions shift the following entries of their run back, so
 * no tombstones accumulate. Not thread-safe.
 */
final class KeyRevisionTable {

	/** What {@link #get(String)} returns for a key the table does not hold; revisions are never negative. */
	static final long ABSENT = -1;

	/** Slots per key when the table is sized for a known number of keys. */
	private static final double SIZED_LOAD = 0.75;

	/** Share of occupied slots at which the table grows by half. */
	private static final double MAX_LOAD = 0.8;

	private static final int MIN_CAPACITY = 8;

	/** The largest array length every JVM allocates. */
	private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

	private String[] keys;

	private long[] revisions;

	private int size;

	private int growAt;

	/**
	 * Creates a table for a number of keys, without growing until it holds more.
	 * @param expectedKeys the number of keys it is about to hold
	 */
	KeyRevisionTable(int expectedKeys) {
		allocate(capacityFor(expectedKeys));
	}

	/**
	 * Returns the number of keys held.
	 * @return the number of keys
	 */
	int size() {
		return this.size;
	}

	/**
	 * Returns the revision held for a key.
	 * @param key the key
	 * @return its revision, or {@link #ABSENT}
	 */
	long get(String key) {
		int slot = find(key);
		return (slot >= 0) ? this.revisions[slot] : ABSENT;
	}

	/**
	 * Holds a revision for a key, replacing the one it held.
	 * @param key the key
	 * @param revision its revision
	 */
	void put(String key, long revision) {
		int slot = slotFor(key, revision);
		this.revisions[slot] = revision;
	}

	/**
	 * Holds a revision for a key unless it holds a newer one.
	 * @param key the key
	 * @param revision its revision
	 */
	void putMax(String key, long revision) {
		int slot = slotFor(key, revision);
		this.revisions[slot] = Math.max(this.revisions[slot], revision);
	}

	/**
	 * Removes a key if the revision held for it is older than a given one.
	 * @param key the key
	 * @param revision the revision of its deletion
	 * @return whether the key was removed
	 */
	boolean removeIfOlder(String key, long revision) {
		int slot = find(key);
		if (slot < 0 || this.revisions[slot] >= revision) {
			return false;
		}
		removeAt(slot);
		return true;
	}

	/**
	 * Calls an action with every key held, in no particular order.
	 * @param action the action
	 */
	void forEachKey(Consumer<String> action) {
		for (String key : this.keys) {
			if (key != null) {
				action.accept(key);
			}
		}
	}

	/**
	 * Returns the slot of a key, inserting it with {@link #ABSENT} as its revision if the table does not hold it.
	 */
	private int slotFor(String key, long revision) {
		if (revision < 0) {
			throw new IllegalArgumentException("Revision of '" + key + "' is " + revision + "; revisions are never "
					+ "negative");
		}
		int slot = home(key, this.keys.length);
		while (this.keys[slot] != null) {
			if (this.keys[slot].equals(key)) {
				return slot;
			}
			slot = next(slot);
		}
		if (this.size >= this.growAt) {
			grow();
			return slotFor(key, revision);
		}
		this.keys[slot] = key;
		this.revisions[slot] = ABSENT;
		this.size++;
		return slot;
	}

	private int find(String key) {
		int slot = home(key, this.keys.length);
		while (this.keys[slot] != null) {
			if (this.keys[slot].equals(key)) {
				return slot;
			}
			slot = next(slot);
		}
		return -1;
	}

	/**
	 * Empties a slot and moves back the entries after it in its run that may move, so that every key stays
	 * reachable from its home slot without a tombstone.
	 */
	private void removeAt(int slot) {
		int empty = slot;
		int current = slot;
		while (true) {
			current = next(current);
			String key = this.keys[current];
			if (key == null) {
				break;
			}
			int home = home(key, this.keys.length);
			boolean homeInGap = (empty <= current) ? (home <= empty || home > current)
					: (home <= empty && home > current);
			if (homeInGap) {
				this.keys[empty] = key;
				this.revisions[empty] = this.revisions[current];
				empty = current;
			}
		}
		this.keys[empty] = null;
		this.size--;
	}

	private void grow() {
		if (this.keys.length == MAX_CAPACITY) {
			throw new IllegalStateException("Cannot track more than " + this.size + " keys for initial-state listeners");
		}
		String[] oldKeys = this.keys;
		long[] oldRevisions = this.revisions;
		allocate((int) Math.min(MAX_CAPACITY, oldKeys.length + (long) oldKeys.length / 2));
		for (int i = 0; i < oldKeys.length; i++) {
			String key = oldKeys[i];
			if (key != null) {
				int slot = home(key, this.keys.length);
				while (this.keys[slot] != null) {
					slot = next(slot);
				}
				this.keys[slot] = key;
				this.revisions[slot] = oldRevisions[i];
			}
		}
	}

	private void allocate(int capacity) {
		this.keys = new String[capacity];
		this.revisions = new long[capacity];
		this.growAt = (int) Math.min(capacity - 1L, (long) (capacity * MAX_LOAD));
	}

	private int next(int slot) {
		return (slot + 1 < this.keys.length) ? slot + 1 : 0;
	}

	/**
	 * Returns the number of slots of a table created for a number of keys.
	 */
	static int capacityFor(int keys) {
		return (int) Math.max(MIN_CAPACITY, Math.min(MAX_CAPACITY, (long) Math.ceil(keys / SIZED_LOAD) + 1));
	}

	/**
	 * Maps a key's hash onto {@code [0, capacity)}: the hash is scrambled (Fibonacci hashing) and its 32 bits
	 * scaled to the capacity, which need not be a power of two. Package-private for tests that build runs
	 * which wrap around the end of the table.
	 */
	static int home(String key, int capacity) {
		long scrambled = (key.hashCode() * 0x9E3779B9) & 0xFFFFFFFFL;
		return (int) ((scrambled * capacity) >>> 32);
	}

}
