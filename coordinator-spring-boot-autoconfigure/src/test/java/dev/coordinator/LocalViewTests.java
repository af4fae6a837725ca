package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Local views of a prefix on a real nats-server: filled with the stored entries, kept current by the log,
 * silent writes included, also while writes race with the view's creation.
 */
class LocalViewTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private TestNode writer;

	private TestNode reader;

	@AfterEach
	void stop() {
		this.reader.close();
		this.writer.close();
	}

	@Test
	void aViewHoldsTheStoredStateAndFollowsEveryChangeSilentOnesIncluded() {
		String namespace = "views-" + namespaces.incrementAndGet();
		this.writer = TestNode.start(server.url(), namespace, "writer");
		this.reader = TestNode.start(server.url(), namespace, "reader");
		Coordinator coordinator = this.writer.coordinator();
		coordinator.put("/config/a", bytes("1"));
		coordinator.put("/config/b", bytes("1"));
		coordinator.put("/other/x", bytes("1"));

		try (CoordinatorView view = this.reader.coordinator().view("/config/")) {
			List<String> changes = new CopyOnWriteArrayList<>();
			view.onChange((event) -> changes.add(event.getAction() + " " + event.getKey()));
			assertThat(view.entries()).containsOnlyKeys("/config/a", "/config/b");

			coordinator.put("/config/a", bytes("2"), false);
			coordinator.delete("/config/b", false);
			long last = coordinator.put("/config/c", bytes("3"));

			await().atMost(Duration.ofSeconds(10)).until(() -> view.revision() >= last);
			assertThat(view.entries()).containsOnlyKeys("/config/a", "/config/c");
			assertThat(new String(view.get("/config/a").orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("2");
			assertThat(view.get("/config/b")).isEmpty();
			assertThat(changes).containsExactly("PUT /config/a", "DELETE /config/b", "PUT /config/c");
		}
	}

	@Test
	void writesRacingWithTheViewsCreationEndInTheStoredState() {
		String namespace = "views-" + namespaces.incrementAndGet();
		this.writer = TestNode.start(server.url(), namespace, "writer");
		this.reader = TestNode.start(server.url(), namespace, "reader");
		Coordinator coordinator = this.writer.coordinator();
		CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> IntStream.range(0, 2000).forEach((i) -> {
			String key = "/race/" + (i % 50);
			if (i % 7 == 0) {
				coordinator.delete(key);
			}
			else {
				coordinator.putAsync(key, bytes(Integer.toString(i)));
			}
		}));

		try (CoordinatorView view = this.reader.coordinator().view("/race/")) {
			writes.join();
			long last = coordinator.put("/race/last", bytes("end"));
			await().atMost(Duration.ofSeconds(20)).until(() -> view.revision() >= last);
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(view.entries().keySet())
				.isEqualTo(coordinator.list("/race/").stream().map(CoordinatorEntry::key)
					.collect(Collectors.toCollection(TreeSet::new))));
			for (CoordinatorEntry stored : coordinator.list("/race/")) {
				assertThat(view.get(stored.key())).hasValueSatisfying(
						(held) -> assertThat(held.revision()).isEqualTo(stored.revision()));
			}
		}
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
