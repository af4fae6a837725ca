package dev.coordinator.listener;

import java.util.function.Consumer;

/**
 * The set of keys {@link InitialStateTracker} holds for its listeners: open addressing with linear probing over
 * an array of keys, about 5 bytes per key where a {@code HashSet<String>} takes about 40 (a node and a table
 * slot). It keeps the key instance it was first given, so that the {@code String} is shared with the event (and
 * the listener's own state) rather than held twice. Removals shift the following entries of their run back, so
 * no tombstones accumulate. Not thread-safe.
 *
 * <p>The array is held in chunks of {@value #CHUNK_SLOTS} slots (128 KB), below the size at which G1 makes an
 * array humongous (half a region, 512 KB at the smallest region size). A humongous array takes whole regions: at
 * 1,000,000 keys, with the 4 MB regions of a 6 GB heap, one array of 5.3 MB would take 8 MB.
 */
final class KeySet {

	/** Slots per key when the set is sized for a known number of keys. */
	private static final double SIZED_LOAD = 0.75;

	/** Share of occupied slots at which the set grows by half. */
	private static final double MAX_LOAD = 0.8;

	private static final int MIN_CAPACITY = 8;

	private static final int CHUNK_BITS = 15;

	/** Slots per chunk of the array. */
	static final int CHUNK_SLOTS = 1 << CHUNK_BITS;

	private static final int CHUNK_MASK = CHUNK_SLOTS - 1;

	/** The most slots: slots are numbered by an {@code int}, and a set never fills all of them. */
	private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

	private String[][] keys;

	private int capacity;

	private int size;

	private int growAt;

	/**
	 * Creates a set for a number of keys, without growing until it holds more.
	 * @param expectedKeys the number of keys it is about to hold
	 */
	KeySet(int expectedKeys) {
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
	 * Returns whether a key is held.
	 * @param key the key
	 * @return whether it is held
	 */
	boolean contains(String key) {
		return find(key) >= 0;
	}

	/**
	 * Holds a key; a key held already keeps the instance first given.
	 * @param key the key
	 * @return whether the key was not held before
	 */
	boolean add(String key) {
		int slot = home(key, this.capacity);
		for (String held = keyAt(slot); held != null; held = keyAt(slot)) {
			if (held.equals(key)) {
				return false;
			}
			slot = next(slot);
		}
		if (this.size >= this.growAt) {
			grow();
			return add(key);
		}
		setAt(slot, key);
		this.size++;
		return true;
	}

	/**
	 * Removes a key.
	 * @param key the key
	 * @return whether it was held
	 */
	boolean remove(String key) {
		int slot = find(key);
		if (slot < 0) {
			return false;
		}
		removeAt(slot);
		return true;
	}

	/**
	 * Calls an action with every key held, in no particular order.
	 * @param action the action
	 */
	void forEach(Consumer<String> action) {
		for (String[] chunk : this.keys) {
			for (String key : chunk) {
				if (key != null) {
					action.accept(key);
				}
			}
		}
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
	 * Empties a slot and moves back the keys after it in its run that may move, so that every key stays
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
				setAt(empty, key);
				empty = current;
			}
		}
		setAt(empty, null);
		this.size--;
	}

	private void grow() {
		if (this.capacity == MAX_CAPACITY) {
			throw new IllegalStateException("Cannot track more than " + this.size + " keys for initial-state listeners");
		}
		String[][] old = this.keys;
		allocate((int) Math.min(MAX_CAPACITY, this.capacity + (long) this.capacity / 2));
		for (String[] chunk : old) {
			for (String key : chunk) {
				if (key != null) {
					int slot = home(key, this.capacity);
					while (keyAt(slot) != null) {
						slot = next(slot);
					}
					setAt(slot, key);
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
		for (int chunk = 0; chunk < chunks; chunk++) {
			this.keys[chunk] = new String[Math.min(CHUNK_SLOTS, capacity - (chunk << CHUNK_BITS))];
		}
		this.capacity = capacity;
		this.growAt = (int) Math.min(capacity - 1L, (long) (capacity * MAX_LOAD));
	}

	private String keyAt(int slot) {
		return this.keys[slot >>> CHUNK_BITS][slot & CHUNK_MASK];
	}

	private void setAt(int slot, String key) {
		this.keys[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = key;
	}

	private int next(int slot) {
		return (slot + 1 < this.capacity) ? slot + 1 : 0;
	}

	/**
	 * Returns the number of slots of a set created for a number of keys.
	 */
	static int capacityFor(int keys) {
		return (int) Math.max(MIN_CAPACITY, Math.min(MAX_CAPACITY, (long) Math.ceil(keys / SIZED_LOAD) + 1));
	}

	/**
	 * Maps a key's hash onto {@code [0, capacity)}: the hash is scrambled (Fibonacci hashing) and its 32 bits
	 * scaled to the capacity, which need not be a power of two. Package-private for tests that build runs
	 * which wrap around the end of the set.
	 */
	static int home(String key, int capacity) {
		long scrambled = (key.hashCode() * 0x9E3779B9) & 0xFFFFFFFFL;
		return (int) ((scrambled * capacity) >>> 32);
	}

}
