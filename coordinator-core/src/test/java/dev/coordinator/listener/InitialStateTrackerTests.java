package dev.coordinator.listener;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.json.Jackson2JsonCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link InitialStateTracker}: which live changes initial-state listeners still need, and the differences a
 * replay delivers.
 */
class InitialStateTrackerTests {

	private static final Jackson2JsonCodec codec = new Jackson2JsonCodec();

	private final InitialStateTracker tracker = new InitialStateTracker();

	@Test
	void coversKeysUnderItsPrefixesOnly() {
		this.tracker.setPrefixes(Set.of("/state/", "/other/"));
		assertThat(this.tracker.covers("/state/a")).isTrue();
		assertThat(this.tracker.covers("/other/b")).isTrue();
		assertThat(this.tracker.covers("/elsewhere/a")).isFalse();
	}

	@Test
	void needsOnlyChangesNewerThanTheReplayAndThanWhatItHolds() {
		this.tracker.setPrefixes(Set.of("/state/"));
		this.tracker.reconcile(List.of(entry("/state/a", 5), entry("/state/b", 20)), 10);
		assertThat(this.tracker.needs("/state/a", 9)).as("contained in the replay").isFalse();
		assertThat(this.tracker.needs("/state/a", 11)).isTrue();
		assertThat(this.tracker.needs("/state/b", 15)).as("older than what the listeners hold").isFalse();
		assertThat(this.tracker.needs("/state/b", 20)).isFalse();
		assertThat(this.tracker.needs("/state/b", 21)).isTrue();
		assertThat(this.tracker.needs("/state/new", 11)).isTrue();
	}

	@Test
	void appliedChangesMoveWhatItHoldsForward() {
		this.tracker.setPrefixes(Set.of("/state/"));
		this.tracker.reconcile(List.of(), 10);
		this.tracker.apply("/state/a", CoordinatorAction.PUT, 12);
		assertThat(this.tracker.needs("/state/a", 12)).isFalse();
		assertThat(this.tracker.needs("/state/b", 12)).as("a revision is one change of one key").isFalse();
		this.tracker.apply("/state/a", CoordinatorAction.DELETE, 12);
		assertThat(this.tracker.reconcile(List.of(entry("/state/a", 12)), 12).changed())
			.as("a change read again is ignored").isEmpty();
		this.tracker.apply("/state/a", CoordinatorAction.DELETE, 13);
		this.tracker.apply("/elsewhere/a", CoordinatorAction.PUT, 14);
		this.tracker.apply("/state/old", CoordinatorAction.PUT, 9);
		assertThat(this.tracker.reconcile(List.of(), 20).vanished())
			.as("a deleted key, uncovered and replayed changes are not held").isEmpty();
	}

	@Test
	void reconcileReportsNewChangedAndVanishedEntries() {
		this.tracker.setPrefixes(Set.of("/state/"));
		this.tracker.reconcile(List.of(entry("/state/same", 3), entry("/state/changed", 4), entry("/state/gone-b", 5),
				entry("/state/gone-a", 6)), 10);
		this.tracker.apply("/state/live", CoordinatorAction.PUT, 11);
		this.tracker.apply("/state/live-gone", CoordinatorAction.PUT, 12);
		this.tracker.apply("/state/live-gone", CoordinatorAction.DELETE, 13);
		List<CoordinatorEntry> stored = List.of(entry("/state/same", 3), entry("/state/changed", 15),
				entry("/state/new", 14), entry("/state/live", 11));
		InitialStateTracker.Differences differences = this.tracker.reconcile(stored, 20);
		assertThat(differences.changed()).extracting(CoordinatorEntry::key)
			.containsExactly("/state/new", "/state/changed");
		assertThat(differences.vanished()).containsExactly("/state/gone-a", "/state/gone-b");
		InitialStateTracker.Differences again = this.tracker.reconcile(stored, 20);
		assertThat(again.changed()).isEmpty();
		assertThat(again.vanished()).isEmpty();
	}

	@Test
	void entriesAListingReturnedNewerThanItsRevisionAreNotDeliveredAgain() {
		this.tracker.setPrefixes(Set.of("/state/"));
		this.tracker.reconcile(List.of(entry("/state/a", 5), entry("/state/b", 12)), 10);
		this.tracker.apply("/state/b", CoordinatorAction.DELETE, 11);
		assertThat(this.tracker.needs("/state/b", 12)).isFalse();
		assertThat(this.tracker.needs("/state/b", 13)).isTrue();
		InitialStateTracker.Differences differences = this.tracker.reconcile(List.of(entry("/state/a", 5),
				entry("/state/b", 12)), 11);
		assertThat(differences.changed()).as("the older deletion did not remove what the listing returned").isEmpty();
		assertThat(differences.vanished()).isEmpty();
	}

	@Test
	void aLogThatDivergedFromWhatTheListenersHoldIsToldWhole() {
		this.tracker.setPrefixes(Set.of("/state/"));
		this.tracker.reconcile(List.of(entry("/state/same", 3), entry("/state/older", 4)), 10);
		this.tracker.apply("/state/reused", CoordinatorAction.PUT, 12);
		this.tracker.apply("/state/older", CoordinatorAction.PUT, 13);
		this.tracker.apply("/state/created", CoordinatorAction.PUT, 14);
		this.tracker.logDiverged();
		// The server lost 12 to 14 and gave 12 to another write of the same key
		InitialStateTracker.Differences differences = this.tracker.reconcile(List.of(entry("/state/same", 3),
				entry("/state/older", 4), entry("/state/reused", 12)), 12);
		assertThat(differences.changed()).extracting(CoordinatorEntry::key)
			.containsExactly("/state/same", "/state/older", "/state/reused");
		assertThat(differences.vanished()).containsExactly("/state/created");
		assertThat(this.tracker.reconcile(List.of(entry("/state/same", 3), entry("/state/older", 4),
				entry("/state/reused", 12)), 12).changed()).as("trusted again after the replay").isEmpty();
	}

	@Test
	void changesThatMayNotHaveReachedTheListenersAreToldAgainByKey() {
		this.tracker.setPrefixes(Set.of("/state/"));
		this.tracker.reconcile(List.of(entry("/state/a", 3), entry("/state/b", 4)), 10);
		this.tracker.unsure("/state/a");
		this.tracker.unsure("/elsewhere/x");
		this.tracker.apply("/state/c", CoordinatorAction.PUT, 12);
		assertThat(this.tracker.reconcile(List.of(entry("/state/a", 11), entry("/state/b", 4), entry("/state/c", 12)),
				12).changed()).extracting(CoordinatorEntry::key).containsExactly("/state/a");
		for (int i = 0; i <= InitialStateTracker.MAX_UNSURE; i++) {
			this.tracker.unsure("/state/unsure-" + i);
		}
		assertThat(this.tracker.reconcile(List.of(entry("/state/a", 11), entry("/state/b", 4), entry("/state/c", 12)),
				12).changed()).as("too many to tell by key").hasSize(3);
	}

	@Test
	void reconcileOfManyKeysFindsEveryDifference() {
		this.tracker.setPrefixes(Set.of("/state/"));
		List<CoordinatorEntry> first = new ArrayList<>();
		for (int i = 0; i < 50_000; i++) {
			first.add(entry("/state/" + i, i + 1));
		}
		assertThat(this.tracker.reconcile(first, 50_000).changed()).hasSize(50_000);
		List<CoordinatorEntry> second = new ArrayList<>();
		List<String> expectedChanged = new ArrayList<>();
		for (int i = 0; i < 60_000; i++) {
			if (i % 10 != 0) {
				boolean rewritten = i % 7 == 0;
				second.add(entry("/state/" + i, rewritten ? 100_000 + i : i + 1));
				if (rewritten || i >= 50_000) {
					expectedChanged.add("/state/" + i);
				}
			}
		}
		InitialStateTracker.Differences differences = this.tracker.reconcile(second, 200_000);
		assertThat(differences.changed()).extracting(CoordinatorEntry::key)
			.containsExactlyInAnyOrderElementsOf(expectedChanged);
		assertThat(differences.changed()).isSortedAccordingTo((a, b) -> Long.compare(a.revision(), b.revision()));
		assertThat(differences.vanished()).hasSize(5_000).allMatch((key) -> Integer.parseInt(key.substring(7)) % 10 == 0);
	}

	@Test
	void holdsTheEntryKeyInstance() {
		this.tracker.setPrefixes(Set.of("/state/"));
		CoordinatorEntry entry = entry(new String("/state/a"), 5);
		this.tracker.reconcile(List.of(entry), 10);
		assertThat(this.tracker.reconcile(List.of(), 20).vanished()).singleElement().isSameAs(entry.key());
	}

	private static CoordinatorEntry entry(String key, long revision) {
		return new CoordinatorEntry(key, new byte[0], revision, Instant.EPOCH, codec);
	}

}
