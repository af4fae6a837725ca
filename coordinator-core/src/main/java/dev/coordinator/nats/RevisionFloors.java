package dev.coordinator.nats;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The newest revision of each key this node wrote or received: no read may return an older one. In a
 * JetStream cluster any replica answers a direct get, and one that has not applied a write yet answers with
 * the previous revision; a read below the floor is then made again on the stream's leader.
 *
 * <p>It remembers the {@value #MAX_KEYS} keys touched last; for the others the highest revision it forgot
 * stands in, which errs towards asking the leader.
 */
final class RevisionFloors {

	static final int MAX_KEYS = 100_000;

	private final LinkedHashMap<String, Long> floors = new LinkedHashMap<>(1024, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
			if (size() > MAX_KEYS) {
				RevisionFloors.this.forgotten = Math.max(RevisionFloors.this.forgotten, eldest.getValue());
				return true;
			}
			return false;
		}

	};

	private long forgotten;

	/**
	 * Records that a key has a revision (written or received by this node).
	 * @param kvKey the key as stored
	 * @param revision the revision
	 */
	synchronized void raise(String kvKey, long revision) {
		this.floors.merge(kvKey, revision, Math::max);
	}

	/**
	 * Returns the revision a read of a key must reach.
	 * @param kvKey the key as stored
	 * @return the floor, 0 when nothing is known
	 */
	synchronized long floor(String kvKey) {
		Long floor = this.floors.get(kvKey);
		return (floor != null) ? floor : this.forgotten;
	}

	/**
	 * Returns the remembered floors of the keys that start with a prefix (as stored).
	 * @param kvPrefix the prefix
	 * @return key to floor
	 */
	synchronized Map<String, Long> under(String kvPrefix) {
		Map<String, Long> matching = new HashMap<>();
		this.floors.forEach((key, floor) -> {
			if (key.startsWith(kvPrefix)) {
				matching.put(key, floor);
			}
		});
		return matching;
	}

	/**
	 * Returns the highest revision of a key no longer remembered.
	 * @return the revision, 0 when none was forgotten
	 */
	synchronized long forgotten() {
		return this.forgotten;
	}

}
