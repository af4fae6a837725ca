package dev.coordinator.listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.memory.InMemoryCoordinator;
import dev.coordinator.memory.InMemoryStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocalView#refill}: after the log lost revisions, the view becomes the listing whatever the revisions,
 * its callbacks hear what changed, and a listing taken in later by {@link LocalView#fill} is ignored.
 */
class LocalViewRefillTests {

	private static final Jackson2JsonCodec codec = new Jackson2JsonCodec();

	private final Coordinator source = new InMemoryCoordinator("node-1", new InMemoryStore());

	@Test
	void aRefillTakesTheListingWholeAndTellsTheCallbacksWhatChanged() {
		LocalView view = new LocalView("/state/", (closed) -> {
		});
		view.fill(List.of(entry("/state/same", "v", 3, 1), entry("/state/reused", "lost", 12, 2),
				entry("/state/gone", "v", 13, 3)), 13);
		List<CoordinatorEvent> told = new CopyOnWriteArrayList<>();
		view.onChange(told::add);

		view.refill(this.source, List.of(entry("/state/same", "v", 3, 1), entry("/state/reused", "new", 12, 5),
				entry("/state/older", "v", 2, 0)), 12);

		assertThat(view.entries()).containsOnlyKeys("/state/same", "/state/reused", "/state/older");
		assertThat(view.get("/state/reused")).hasValueSatisfying(
				(entry) -> assertThat(entry.value()).asString(StandardCharsets.UTF_8).isEqualTo("new"));
		assertThat(view.revision()).isEqualTo(12);
		assertThat(told).extracting((event) -> event.getAction() + " " + event.getKey())
			.containsExactlyInAnyOrder("PUT /state/reused", "PUT /state/older", "DELETE /state/gone");
	}

	@Test
	void aListingTakenInAfterARefillIsOlderAndIgnored() {
		LocalView view = new LocalView("/state/", (closed) -> {
		});
		view.refill(this.source, List.of(entry("/state/a", "new", 12, 5)), 12);
		view.fill(List.of(entry("/state/a", "lost", 14, 2), entry("/state/b", "lost", 13, 2)), 14);
		assertThat(view.entries()).containsOnlyKeys("/state/a");
		assertThat(view.get("/state/a")).map(CoordinatorEntry::revision).contains(12L);
		view.apply(new CoordinatorEvent(this.source, "/state/a", CoordinatorAction.DELETE, null, 15, null,
				Instant.EPOCH, false));
		assertThat(view.entries()).isEmpty();
	}

	private static CoordinatorEntry entry(String key, String value, long revision, long second) {
		return new CoordinatorEntry(key, value.getBytes(StandardCharsets.UTF_8), revision, Instant.ofEpochSecond(second),
				codec);
	}

}
