package dev.coordinator.listener;

import java.util.ArrayList;
import java.util.Arrays;
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
 * taken at. The order holds as long as the log keeps the revisions it gave: when a server comes back without
 * some ({@link #lost}), the keys applied from the first lost revision on are told again, whatever their stored
 * revision (another message may now have the same one, or an older revision of the key is stored); when those
 * keys are no longer all known, or the log was created anew ({@link #logReplaced}), every stored entry is.
 *
 * <p>What such a listener can miss, as with Curator's cache: intermediate revisions of a key that changed
 * while the node was not reading (it receives the latest), and silent writes ({@code notify = false}).
 */
public final class InitialStateTracker {

	/** Applied changes remembered to tell which keys a server's lost revisions touched. */
	static final int RECENT = 1024;

	private KeySet keys = new KeySet(0);

	/** Entries of the last listing newer than the revision it was taken at, by key: they are held already. */
	private Map<String, Long> listedAhead = Map.of();

	private long listedAheadUpTo = -1;

	private Set<String> prefixes = Set.of();

	/** Revision of the log whose state the listeners hold; -1 before the first replay. */
	private long appliedRevision = -1;

	/** Revision of the last replay. */
	private long syncedRevision = -1;

	private final long[] recentRevisions = new long[RECENT];

	private final String[] recentKeys = new String[RECENT];

	/** Changes applied since the last replay; the newest {@link #RECENT} are remembered. */
	private long applied;

	/** Revision from which the log lost what the listeners hold, {@code Long.MAX_VALUE} when it lost none. */
	private long lostFrom = Long.MAX_VALUE;

	/** Keys whose held state came from lost revisions. */
	private final Set<String> suspects = new HashSet<>();

	/** Whether the keys whose held state is lost are not all known: every stored entry is told again. */
	private boolean untrusted;

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
		int slot = (int) (this.applied++ % RECENT);
		this.recentRevisions[slot] = revision;
		this.recentKeys[slot] = key;
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
	 * Records that the log lost revisions the listeners may hold: a server came back without them, and may have
	 * given their revisions to other messages. The next {@link #reconcile} tells the keys applied from the first
	 * of them on again, or every stored entry when those keys are not all known.
	 * @param firstLost the first lost revision
	 */
	public void lost(long firstLost) {
		if (firstLost > Math.max(this.appliedRevision, this.listedAheadUpTo)) {
			return;
		}
		this.lostFrom = Math.min(this.lostFrom, firstLost);
		long remembered = Math.min(this.applied, RECENT);
		long oldestRemembered = (remembered == 0) ? Long.MAX_VALUE
				: this.recentRevisions[(int) ((this.applied - remembered) % RECENT)];
		boolean allRemembered = this.applied <= RECENT || oldestRemembered <= firstLost;
		if (firstLost <= this.syncedRevision || !allRemembered) {
			this.untrusted = true;
			return;
		}
		for (long i = this.applied - remembered; i < this.applied; i++) {
			int slot = (int) (i % RECENT);
			if (this.recentRevisions[slot] >= firstLost) {
				this.suspects.add(this.recentKeys[slot]);
			}
		}
		this.listedAhead.forEach((key, revision) -> {
			if (revision >= firstLost) {
				this.suspects.add(key);
			}
		});
	}

	/**
	 * Records that the log was created anew: its revisions say nothing about what the listeners hold, so the
	 * next {@link #reconcile} tells every stored entry.
	 */
	public void logReplaced() {
		this.untrusted = true;
	}

	/**
	 * Compares what the listeners hold with the stored entries, and takes the stored entries as what they hold
	 * from now on.
	 * @param entries the stored entries under the prefixes
	 * @param revision the revision of the log up to which the entries contain every change
	 * @return the entries that are new or changed, in revision order, and the keys that vanished
	 */
	public Differences reconcile(List<CoordinatorEntry> entries, long revision) {
		long heldUpTo = this.untrusted ? -1 : Math.min(this.appliedRevision, this.lostFrom - 1);
		List<CoordinatorEntry> changed = new ArrayList<>();
		KeySet stored = new KeySet(entries.size());
		Map<String, Long> ahead = new HashMap<>();
		long aheadUpTo = -1;
		for (CoordinatorEntry entry : entries) {
			String key = entry.key();
			stored.add(key);
			if (!holds(key, entry.revision(), heldUpTo)) {
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
		this.syncedRevision = this.appliedRevision;
		this.applied = 0;
		Arrays.fill(this.recentKeys, null);
		this.lostFrom = Long.MAX_VALUE;
		this.suspects.clear();
		this.untrusted = false;
		changed.sort(Comparator.comparingLong(CoordinatorEntry::revision));
		return new Differences(changed, List.copyOf(vanished));
	}

	/**
	 * Returns whether the listeners hold a stored entry: one of a revision whose state they hold, or one the
	 * last listing returned, unless the log lost what they hold of its key.
	 */
	private boolean holds(String key, long revision, long heldUpTo) {
		if (this.untrusted || this.suspects.contains(key) || !this.keys.contains(key)) {
			return false;
		}
		if (revision <= heldUpTo) {
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
