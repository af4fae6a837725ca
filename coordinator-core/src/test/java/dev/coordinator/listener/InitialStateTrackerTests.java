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
		this.tracker.apply("/state/a", CoordinatorAction.PUT, 11);
		assertThat(this.tracker.needs("/state/a", 12)).as("a late older put does not lower the revision").isFalse();
		this.tracker.apply("/state/a", CoordinatorAction.DELETE, 12);
		assertThat(this.tracker.needs("/state/a", 12)).as("a delete no newer than the put is ignored").isFalse();
		this.tracker.apply("/state/a", CoordinatorAction.DELETE, 13);
		assertThat(this.tracker.needs("/state/a", 12)).isTrue();
		this.tracker.apply("/elsewhere/a", CoordinatorAction.PUT, 14);
		this.tracker.apply("/state/old", CoordinatorAction.PUT, 9);
		assertThat(this.tracker.reconcile(List.of(), 20).vanished()).as("uncovered and replayed changes are not held")
			.isEmpty();
	}

	@Test
	void reconcileReportsNewChangedOlderAndVanishedEntries() {
		this.tracker.setPrefixes(Set.of("/state/"));
		this.tracker.reconcile(List.of(entry("/state/same", 3), entry("/state/changed", 4), entry("/state/lost", 8),
				entry("/state/gone-b", 5), entry("/state/gone-a", 6)), 10);
		this.tracker.apply("/state/live", CoordinatorAction.PUT, 11);
		InitialStateTracker.Differences differences = this.tracker.reconcile(List.of(entry("/state/same", 3),
				entry("/state/changed", 15), entry("/state/lost", 7), entry("/state/new", 12)), 20);
		assertThat(differences.changed()).extracting(CoordinatorEntry::key)
			.containsExactly("/state/lost", "/state/new", "/state/changed");
		assertThat(differences.vanished()).containsExactly("/state/gone-a", "/state/gone-b", "/state/live");
		InitialStateTracker.Differences again = this.tracker.reconcile(List.of(entry("/state/same", 3),
				entry("/state/changed", 15), entry("/state/lost", 7), entry("/state/new", 12)), 20);
		assertThat(again.changed()).isEmpty();
		assertThat(again.vanished()).isEmpty();
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
