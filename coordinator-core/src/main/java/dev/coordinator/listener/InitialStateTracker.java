package dev.coordinator.listener;

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
 * What the initial-state listeners hold: the keys under their prefixes, and the revision of the log whose state
 * they hold. It decides which live changes those listeners still need and, after a resync, which differences to
 * the stored state they must be told. The one home of initial state; used on the reader thread only.
 *
 * <p>The log is read in order, so the listeners hold the log's state at the last revision applied: a stored
 * entry of a revision up to it is one they hold, and only later entries and keys no longer stored are
 * differences. That needs no revision per key, only the keys (about 5 bytes per key, a {@link KeySet}; the key
 * {@code String} is the event's own), and the few entries a listing returned newer than the revision it was
 * taken at. The order holds as long as the log keeps the revisions it gave: when it does not
 * ({@link #logDiverged}: a server came back without some and may have given them to other messages, or the log
 * was created anew), no revision tells what the listeners hold, and the next resync tells them every stored
 * entry. A change that may not have reached them ({@link #unsure}) is told again likewise, by key.
 *
 * <p>What such a listener can miss, as with Curator's cache: intermediate revisions of a key that changed
 * while the node was not reading (it receives the latest), and silent writes ({@code notify = false}).
 */
public final class InitialStateTracker {

	/** Keys told again by key at most; beyond them, every stored entry is. */
	static final int MAX_UNSURE = 1024;

	private KeySet keys = new KeySet(0);

	/** Entries of the last listing newer than the revision it was taken at, by key: they are held already. */
	private Map<String, Long> listedAhead = Map.of();

	private long listedAheadUpTo = -1;

	private Set<String> prefixes = Set.of();

	/** Revision of the log whose state the listeners hold; -1 before the first replay. */
	private long appliedRevision = -1;

	/** Keys whose changes may not have reached the listeners. */
	private final Set<String> unsureKeys = new HashSet<>();

	/** Whether no revision tells what the listeners hold: the next reconcile tells every stored entry. */
	private boolean diverged;

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
	 * Returns whether the initial-state listeners still need a live change, i.e. whether what they hold does
	 * not already contain it.
	 * @param key the key
	 * @param revision the revision of the change
	 * @return whether to deliver it to them
	 */
	public boolean needs(String key, long revision) {
		if (revision <= this.appliedRevision) {
			return false;
		}
		Long listed = this.listedAhead.isEmpty() ? null : this.listedAhead.get(key);
		return listed == null || revision > listed;
	}

	/**
	 * Records a change that was read from the log (delivered or silent), in the log's order.
	 * @param key the key
	 * @param action what happened
	 * @param revision its revision
	 */
	public void apply(String key, CoordinatorAction action, long revision) {
		if (!covers(key) || revision <= this.appliedRevision) {
			return;
		}
		this.appliedRevision = revision;
		if (!this.listedAhead.isEmpty()) {
			Long listed = this.listedAhead.get(key);
			if (revision >= this.listedAheadUpTo) {
				this.listedAhead = Map.of();
			}
			if (listed != null && listed >= revision) {
				// The listing returned this key at this revision or a later one: held already
				return;
			}
		}
		if (action == CoordinatorAction.PUT) {
			this.keys.add(key);
		}
		else {
			this.keys.remove(key);
		}
	}

	/**
	 * Records that the log no longer holds the revisions the listeners' state came from: a server came back
	 * without some of them and may have given them to other messages, or the log was created anew. The next
	 * {@link #reconcile} tells every stored entry.
	 */
	public void logDiverged() {
		this.diverged = true;
	}

	/**
	 * Records a change of a key that may not have reached the listeners (processing it failed, or it could not
	 * be read) although the log was read past it: the next {@link #reconcile} tells the key's stored state
	 * again, and every stored entry when more than {@value #MAX_UNSURE} keys are unsure.
	 * @param key the key
	 */
	public void unsure(String key) {
		if (!covers(key) || this.diverged) {
			return;
		}
		this.unsureKeys.add(key);
		if (this.unsureKeys.size() > MAX_UNSURE) {
			this.unsureKeys.clear();
			this.diverged = true;
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
		KeySet stored = new KeySet(entries.size());
		Map<String, Long> ahead = new HashMap<>();
		long aheadUpTo = -1;
		for (CoordinatorEntry entry : entries) {
			String key = entry.key();
			stored.add(key);
			if (!holds(key, entry.revision())) {
				changed.add(entry);
			}
			if (entry.revision() > revision) {
				ahead.put(key, entry.revision());
				aheadUpTo = Math.max(aheadUpTo, entry.revision());
			}
		}
		List<String> vanished = new ArrayList<>();
		this.keys.forEach((key) -> {
			if (!stored.contains(key)) {
				vanished.add(key);
			}
		});
		vanished.sort(null);
		this.keys = stored;
		this.listedAhead = ahead.isEmpty() ? Map.of() : ahead;
		this.listedAheadUpTo = aheadUpTo;
		this.appliedRevision = revision;
		this.unsureKeys.clear();
		this.diverged = false;
		changed.sort(Comparator.comparingLong(CoordinatorEntry::revision));
		return new Differences(changed, List.copyOf(vanished));
	}

	/**
	 * Returns whether the listeners hold a stored entry: one of a revision whose state they hold, or one the
	 * last listing returned, unless they may not hold its key's changes.
	 */
	private boolean holds(String key, long revision) {
		if (this.diverged || this.unsureKeys.contains(key) || !this.keys.contains(key)) {
			return false;
		}
		if (revision <= this.appliedRevision) {
			return true;
		}
		Long listed = this.listedAhead.get(key);
		return listed != null && listed == revision;
	}

	/**
	 * What a replay delivers.
	 *
	 * @param changed entries that are new, or that the listeners may not hold as stored (also an older revision:
	 * the server lost the newer in a crash)
	 * @param vanished keys the listeners hold that are no longer stored
	 */
	public record Differences(List<CoordinatorEntry> changed, List<String> vanished) {
	}

}
