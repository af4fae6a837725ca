package dev.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server that comes back with an older copy of its store (a lost machine restored from a backup, a replica
 * that had not caught up): it lost revisions every node had processed, more of them than a node remembers,
 * and gives their revisions to new writes. Those writes must reach the listeners, and initial-state listeners
 * must again equal the store, also where it now holds an older revision of a key than they had.
 */
class LostStoreTests {

	@RegisterExtension
	final NatsServerExtension server = new NatsServerExtension();

	private TestNode node;

	@AfterEach
	void stop() {
		if (this.node != null) {
			this.node.close();
		}
	}

	@Test
	void writesAtRevisionsTheServerGaveAgainAreDeliveredAndViewsFollowTheOlderStore() throws Exception {
		this.node = TestNode.start(this.server.url(), "lost", "node-a", "coordinator.bucket.history=1",
				"coordinator.write.timeout=2s", "coordinator.write.attempts=10");
		Coordinator coordinator = this.node.coordinator();
		coordinator.put("/state/a", bytes("v1"));
		await().until(() -> "v1".equals(this.node.listeners().stateView.get("/state/a")));
		Path backup = copyOfStoreWhileStopped();

		coordinator.put("/state/a", bytes("v2"));
		CompletableFuture.allOf(IntStream.range(0, 2000)
			.mapToObj((i) -> coordinator.putAsync("/other/" + i, bytes("x")))
			.toArray(CompletableFuture[]::new)).join();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.node.listeners().all.size() == 2002);
		assertThat(this.node.listeners().stateView).containsEntry("/state/a", "v2");

		this.server.process().kill();
		replaceStore(backup);
		this.server.process().restart();
		List<Long> revisions = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
			.until(() -> List.of(coordinator.put("/nodes/after-1", bytes("1")), coordinator.put("/nodes/after-2",
					bytes("2"))), (written) -> true);

		await().atMost(Duration.ofSeconds(20)).until(() -> this.node.listeners().nodes.size() == 2);
		assertThat(this.node.listeners().nodes).extracting(CoordinatorEvent::getRevision).containsExactlyElementsOf(revisions);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.node.listeners().stateView.equals(Map.of("/state/a", "v1")));
	}

	private Path copyOfStoreWhileStopped() throws IOException {
		this.server.process().kill();
		Path backup = Files.createTempDirectory("nats-store-backup-");
		copy(this.server.process().storeDir(), backup);
		this.server.process().restart();
		return backup;
	}

	private void replaceStore(Path backup) throws IOException {
		Path store = this.server.process().storeDir();
		delete(store);
		Files.createDirectories(store);
		copy(backup, store);
		delete(backup);
	}

	private static void copy(Path from, Path to) throws IOException {
		try (Stream<Path> paths = Files.walk(from)) {
			paths.forEach((path) -> {
				try {
					Path target = to.resolve(from.relativize(path).toString());
					if (Files.isDirectory(path)) {
						Files.createDirectories(target);
					}
					else {
						Files.copy(path, target);
					}
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
	}

	private static void delete(Path root) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
