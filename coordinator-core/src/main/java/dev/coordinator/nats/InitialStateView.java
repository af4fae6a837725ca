package dev.coordinator.nats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;

/**
 * The keys under the initial-state prefixes and the revisions the listeners last received for them, so
 * that after a resync they receive exactly the differences to the stored state. Used on the coordinator's
 * thread only.
 */
final class InitialStateView {

	private final Map<String, Long> revisions = new HashMap<>();

	private Set<String> prefixes = Set.of();

	void setPrefixes(Set<String> prefixes) {
		this.prefixes = Set.copyOf(prefixes);
	}

	Set<String> prefixes() {
		return this.prefixes;
	}

	boolean covers(String key) {
		for (String prefix : this.prefixes) {
			if (key.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	void apply(String key, CoordinatorAction action, long revision) {
		if (!covers(key)) {
			return;
		}
		if (action == CoordinatorAction.PUT) {
			this.revisions.put(key, revision);
		}
		else {
			this.revisions.remove(key);
		}
	}

	/**
	 * Compares the view with the stored entries and takes them as the new view.
	 * @param entries the stored entries under the prefixes
	 * @return the entries that are new or changed, in revision order, and the keys that vanished
	 */
	Differences reconcile(List<CoordinatorEntry> entries) {
		List<CoordinatorEntry> changed = new ArrayList<>();
		Set<String> stored = new HashSet<>();
		for (CoordinatorEntry entry : entries) {
			stored.add(entry.key());
			Long known = this.revisions.get(entry.key());
			if (known == null || known < entry.revision()) {
				changed.add(entry);
			}
		}
		List<String> vanished = this.revisions.keySet().stream().filter((key) -> !stored.contains(key)).sorted().toList();
		this.revisions.clear();
		entries.forEach((entry) -> this.revisions.put(entry.key(), entry.revision()));
		changed.sort(Comparator.comparingLong(CoordinatorEntry::revision));
		return new Differences(changed, vanished);
	}

	/**
	 * What a resync replays.
	 *
	 * @param changed entries that are new or have a later revision than the view had
	 * @param vanished keys the view had that are no longer stored
	 */
	record Differences(List<CoordinatorEntry> changed, List<String> vanished) {
	}

}
