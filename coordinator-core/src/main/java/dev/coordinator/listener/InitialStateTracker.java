package dev.coordinator.listener;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;

/**
 * What the initial-state listeners hold: for every key under their prefixes, the revision they last received,
 * and the revision up to which the replayed state contains every change. It decides which live changes those
 * listeners still need and, after a resync, which differences to the stored state they must be told. The one
 * home of initial state; used on the reader thread only. It holds about 16 bytes per key (a
 * {@link KeyRevisionTable}; the key {@code String} is the event's own).
 *
 * <p>What such a listener can miss, as with Curator's cache: intermediate revisions of a key that changed
 * while the node was not reading (it receives the latest), and silent writes ({@code notify = false}).
 */
public final class InitialStateTracker {

	private KeyRevisionTable revisions = new KeyRevisionTable(0);

	private Set<String> prefixes = Set.of();

	/** Revision up to which the replayed state contains every change; -1 before the first replay. */
	private long syncedRevision = -1;

	/**
	 * Sets the prefixes the initial-state listeners asked for.
	 * @param prefixes the prefixes, none covering another
	 */
	public void setPrefixes(Set<String> prefixes) {
		this.prefixes = Set.copyOf(prefixes);
	}

	/**
	 * Returns the prefixes whose entries are replayed.
	 * @return the prefixes
	 */
	public Set<String> prefixes() {
		return this.prefixes;
	}

	/**
	 * Returns whether a key is under one of the prefixes.
	 * @param key the key
	 * @return whether initial-state listeners track it
	 */
	public boolean covers(String key) {
		for (String prefix : this.prefixes) {
			if (key.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns whether the initial-state listeners still need a live change, i.e. whether the replayed state
	 * does not already contain it.
	 * @param key the key
	 * @param revision the revision of the change
	 * @return whether to deliver it to them
	 */
	public boolean needs(String key, long revision) {
		if (revision <= this.syncedRevision) {
			return false;
		}
		long known = this.revisions.get(key);
		return known == KeyRevisionTable.ABSENT || revision > known;
	}

	/**
	 * Records a change that was read from the log (delivered or silent).
	 * @param key the key
	 * @param action what happened
	 * @param revision its revision
	 */
	public void apply(String key, CoordinatorAction action, long revision) {
		if (!covers(key) || revision <= this.syncedRevision) {
			return;
		}
		if (action == CoordinatorAction.PUT) {
			this.revisions.putMax(key, revision);
		}
		else {
			this.revisions.removeIfOlder(key, revision);
		}
	}

	/**
	 * Compares what the listeners hold with the stored entries, and takes the stored entries as what they hold
	 * from now on.
	 * @param entries the stored entries under the prefixes
	 * @param revision the revision of the log up to which the entries contain every change
	 * @return the entries that are new or changed, in revision order, and the keys that vanished
	 */
	public Differences reconcile(List<CoordinatorEntry> entries, long revision) {
		List<CoordinatorEntry> changed = new ArrayList<>();
		KeyRevisionTable stored = new KeyRevisionTable(entries.size());
		for (CoordinatorEntry entry : entries) {
			stored.put(entry.key(), entry.revision());
			if (this.revisions.get(entry.key()) != entry.revision()) {
				changed.add(entry);
			}
		}
		List<String> vanished = new ArrayList<>();
		this.revisions.forEachKey((key) -> {
			if (stored.get(key) == KeyRevisionTable.ABSENT) {
				vanished.add(key);
			}
		});
		vanished.sort(null);
		this.revisions = stored;
		this.syncedRevision = revision;
		changed.sort(Comparator.comparingLong(CoordinatorEntry::revision));
		return new Differences(changed, List.copyOf(vanished));
	}

	/**
	 * What a replay delivers.
	 *
	 * @param changed entries that are new, or whose revision differs from what the listeners hold (also an
	 * older one: the server lost the newer in a crash)
	 * @param vanished keys the listeners hold that are no longer stored
	 */
	public record Differences(List<CoordinatorEntry> changed, List<String> vanished) {
	}

}
