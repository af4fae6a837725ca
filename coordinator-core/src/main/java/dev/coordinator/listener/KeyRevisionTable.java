package dev.coordinator.listener;

import java.util.function.Consumer;

/**
 * A map from key to revision for {@link InitialStateTracker}, which holds one entry for every key its listeners
 * hold: open addressing with linear probing over an array of keys and an array of primitive revisions, about
 * 16 bytes per key where a {@code HashMap<String, Long>} takes about 66 (a node, a boxed {@code Long}, a table
 * slot). It keeps the key instance it was first given, so that the {@code String} is shared with the event (and
 * the listener's own state) rather than held twice. Deletions shift the following entries of their run back, so
 * no tombstones accumulate. Not thread-safe.
 *
 * <p>Both arrays are held in chunks of {@value #CHUNK_SLOTS} slots (128 and 256 KB), below the size at which G1
 * makes an array humongous (half a region, 512 KB at the smallest region size). A humongous array takes whole
 * regions: at 1,000,000 keys, with the 4 MB regions of a 6 GB heap, single arrays of 5.3 and 10.7 MB took 8 and
 * 12 MB, 5 bytes per key more.
 */
final class KeyRevisionTable {

	/** What {@link #get(String)} returns for a key the table does not hold; revisions are never negative. */
	static final long ABSENT = -1;

	/** Slots per key when the table is sized for a known number of keys. */
	private static final double SIZED_LOAD = 0.75;

	/** Share of occupied slots at which the table grows by half. */
	private static final double MAX_LOAD = 0.8;

	private static final int MIN_CAPACITY = 8;

	private static final int CHUNK_BITS = 15;

	/** Slots per chunk of the arrays. */
	static final int CHUNK_SLOTS = 1 << CHUNK_BITS;

	private static final int CHUNK_MASK = CHUNK_SLOTS - 1;

	/** The most slots: slots are numbered by an {@code int}, and a table never fills all of them. */
	private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

	private String[][] keys;

	private long[][] revisions;

	private int capacity;

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
		return (slot >= 0) ? revisionAt(slot) : ABSENT;
	}

	/**
	 * Holds a revision for a key, replacing the one it held.
	 * @param key the key
	 * @param revision its revision
	 */
	void put(String key, long revision) {
		int slot = slotFor(key, revision);
		setRevisionAt(slot, revision);
	}

	/**
	 * Holds a revision for a key unless it holds a newer one.
	 * @param key the key
	 * @param revision its revision
	 */
	void putMax(String key, long revision) {
		int slot = slotFor(key, revision);
		setRevisionAt(slot, Math.max(revisionAt(slot), revision));
	}

	/**
	 * Removes a key if the revision held for it is older than a given one.
	 * @param key the key
	 * @param revision the revision of its deletion
	 * @return whether the key was removed
	 */
	boolean removeIfOlder(String key, long revision) {
		int slot = find(key);
		if (slot < 0 || revisionAt(slot) >= revision) {
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
		for (String[] chunk : this.keys) {
			for (String key : chunk) {
				if (key != null) {
					action.accept(key);
				}
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
		int slot = home(key, this.capacity);
		for (String held = keyAt(slot); held != null; held = keyAt(slot)) {
			if (held.equals(key)) {
				return slot;
			}
			slot = next(slot);
		}
		if (this.size >= this.growAt) {
			grow();
			return slotFor(key, revision);
		}
		setAt(slot, key, ABSENT);
		this.size++;
		return slot;
	}

	private int find(String key) {
		int slot = home(key, this.capacity);
		for (String held = keyAt(slot); held != null; held = keyAt(slot)) {
			if (held.equals(key)) {
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
			String key = keyAt(current);
			if (key == null) {
				break;
			}
			int home = home(key, this.capacity);
			boolean homeInGap = (empty <= current) ? (home <= empty || home > current)
					: (home <= empty && home > current);
			if (homeInGap) {
				setAt(empty, key, revisionAt(current));
				empty = current;
			}
		}
		setAt(empty, null, ABSENT);
		this.size--;
	}

	private void grow() {
		if (this.capacity == MAX_CAPACITY) {
			throw new IllegalStateException("Cannot track more than " + this.size + " keys for initial-state listeners");
		}
		String[][] oldKeys = this.keys;
		long[][] oldRevisions = this.revisions;
		allocate((int) Math.min(MAX_CAPACITY, this.capacity + (long) this.capacity / 2));
		for (int chunk = 0; chunk < oldKeys.length; chunk++) {
			for (int i = 0; i < oldKeys[chunk].length; i++) {
				String key = oldKeys[chunk][i];
				if (key != null) {
					int slot = home(key, this.capacity);
					while (keyAt(slot) != null) {
						slot = next(slot);
					}
					setAt(slot, key, oldRevisions[chunk][i]);
				}
			}
		}
	}

	/**
	 * Allocates the chunks of a number of slots: full chunks, the last one holding the remaining slots.
	 */
	private void allocate(int capacity) {
		int chunks = (int) ((capacity + (long) CHUNK_MASK) >>> CHUNK_BITS);
		this.keys = new String[chunks][];
		this.revisions = new long[chunks][];
		for (int chunk = 0; chunk < chunks; chunk++) {
			int slots = Math.min(CHUNK_SLOTS, capacity - (chunk << CHUNK_BITS));
			this.keys[chunk] = new String[slots];
			this.revisions[chunk] = new long[slots];
		}
		this.capacity = capacity;
		this.growAt = (int) Math.min(capacity - 1L, (long) (capacity * MAX_LOAD));
	}

	private String keyAt(int slot) {
		return this.keys[slot >>> CHUNK_BITS][slot & CHUNK_MASK];
	}

	private long revisionAt(int slot) {
		return this.revisions[slot >>> CHUNK_BITS][slot & CHUNK_MASK];
	}

	private void setRevisionAt(int slot, long revision) {
		this.revisions[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = revision;
	}

	private void setAt(int slot, String key, long revision) {
		this.keys[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = key;
		this.revisions[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = revision;
	}

	private int next(int slot) {
		return (slot + 1 < this.capacity) ? slot + 1 : 0;
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
