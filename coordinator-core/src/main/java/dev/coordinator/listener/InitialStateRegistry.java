package dev.coordinator.listener;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The key prefixes whose current entries the coordinator replays at start, because a listener asked for
 * initial state.
 */
public final class InitialStateRegistry {

	private final Set<String> prefixes = new ConcurrentSkipListSet<>();

	void add(String prefix) {
		this.prefixes.add(prefix);
	}

	/**
	 * Returns the prefixes, without those that a shorter one in the set already covers.
	 * @return the prefixes, sorted
	 */
	public Set<String> prefixes() {
		Set<String> minimal = new TreeSet<>();
		String covering = null;
		for (String prefix : this.prefixes) {
			if (covering == null || !prefix.startsWith(covering)) {
				minimal.add(prefix);
				covering = prefix;
			}
		}
		return minimal;
	}

}
