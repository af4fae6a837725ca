package dev.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server that comes back with an older copy of its store (a lost machine restored from a backup, a replica
 * that had not caught up): it lost revisions every node had processed, more of them than a node remembers,
 * or the one revision of a key written again, and gives their revisions to new writes. Those writes must reach
 * the listeners, and initial-state listeners and views must again equal the store, also where it now holds an
 * older revision of a key than they had. Likewise when the bucket is created anew under a running node; but
 * not when a stream only reports another creation time.
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

	@Test
	void aKeyWrittenAgainAtTheRevisionTheServerLostReachesInitialStateListenersAndViews() throws Exception {
		this.node = TestNode.start(this.server.url(), "reused", "node-a", "coordinator.bucket.history=1",
				"coordinator.write.timeout=2s", "coordinator.write.attempts=10");
		Coordinator coordinator = this.node.coordinator();
		try (CoordinatorView view = coordinator.view("/state/")) {
			List<CoordinatorEvent> viewChanges = new CopyOnWriteArrayList<>();
			view.onChange(viewChanges::add);
			coordinator.put("/state/a", bytes("v1"));
			await().until(() -> "v1".equals(this.node.listeners().stateView.get("/state/a")));
			Path backup = copyOfStoreWhileStopped();
			long lost = coordinator.put("/state/a", bytes("v2"));
			await().until(() -> "v2".equals(this.node.listeners().stateView.get("/state/a")));
			await().until(() -> view.get("/state/a").map(CoordinatorEntry::revision).orElse(0L) == lost);

			this.server.process().kill();
			replaceStore(backup);
			this.server.process().restart();
			long again = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
				.until(() -> coordinator.put("/state/a", bytes("v3")), (written) -> true);

			assertThat(again).as("the server gave the lost revision to the new write").isEqualTo(lost);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.node.listeners().stateView.equals(Map.of("/state/a", "v3")));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> view.get("/state/a").map((entry) -> new String(entry.value(), StandardCharsets.UTF_8))
					.orElse(""), "v3"::equals);
			assertThat(viewChanges).last()
				.satisfies((change) -> assertThat(change.getValue()).asString(StandardCharsets.UTF_8).isEqualTo("v3"));
		}
	}

	@Test
	void aBucketCreatedAnewIsReplayedWholeToInitialStateListenersAndViewsAlthoughItsRevisionsLookHeld()
			throws Exception {
		this.node = TestNode.startWith(new Class<?>[] { Blocking.class }, this.server.url(), "anew", "node-a",
				"coordinator.bucket.history=1");
		Coordinator coordinator = this.node.coordinator();
		CoordinatorView view = coordinator.view("/state/");
		long first = coordinator.put("/state/a", bytes("v1"));
		coordinator.put("/state/b", bytes("v1"));
		await().until(() -> this.node.listeners().stateView.size() == 2 && view.entries().size() == 2);
		Blocking blocking = this.node.context().getBean(Blocking.class);
		// The reader waits in a listener while the bucket is created anew, so it finds its consumer gone only
		// when the new log is past its revision
		long last = coordinator.put("/block/now", bytes("x"));
		assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();

		try (Connection raw = Nats.connect(this.server.url())) {
			JetStreamManagement management = raw.jetStreamManagement();
			StreamConfiguration configuration = management.getStreamInfo("KV_anew").getConfiguration();
			management.deleteStream("KV_anew");
			management.addStream(configuration);
			KeyValue bucket = raw.keyValue("anew");
			// The same key at the same revision as before, with another value; then revisions past the node's
			for (long revision = 1; revision < first; revision++) {
				bucket.put("filler", "x");
			}
			assertThat(bucket.put("state.a", "v2")).isEqualTo(first);
			while (bucket.put("filler", "x") <= last + 2) {
				// superseded fillers: revisions after the node's are gone from the log
			}
		}
		blocking.release.countDown();

		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.node.listeners().stateView.equals(Map.of("/state/a", "v2")));
		// Listeners receive the new stream's changes from its first revision, also those below the node's
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.node.listeners().all.stream()
				.anyMatch((event) -> event.getKey().equals("/state/a") && event.getRevision() == first
						&& "v2".equals(new String(event.getValue(), StandardCharsets.UTF_8))));
		assertThat(view.entries()).containsOnlyKeys("/state/a");
		assertThat(view.get("/state/a")).hasValueSatisfying(
				(entry) -> assertThat(entry.value()).asString(StandardCharsets.UTF_8).isEqualTo("v2"));
		view.close();
	}

	@Test
	void aBucketCreatedAnewAndEmptyUnderARunningNodeDeliversTheWritesAtItsRevisions() throws Exception {
		this.node = TestNode.start(this.server.url(), "empty", "node-a", "coordinator.bucket.history=1");
		Coordinator coordinator = this.node.coordinator();
		coordinator.put("/state/a", bytes("v1"));
		for (int i = 0; i < 20; i++) {
			coordinator.put("/other/" + i, bytes("x"));
		}
		await().until(() -> this.node.listeners().all.size() == 21);

		try (Connection raw = Nats.connect(this.server.url())) {
			JetStreamManagement management = raw.jetStreamManagement();
			StreamConfiguration configuration = management.getStreamInfo("KV_empty").getConfiguration();
			management.deleteStream("KV_empty");
			management.addStream(configuration);
		}
		List<Long> revisions = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
			.until(() -> List.of(coordinator.put("/nodes/after-1", bytes("1")), coordinator.put("/nodes/after-2",
					bytes("2"))), (written) -> true);

		assertThat(revisions.get(1)).as("the new log is short of the node's revision").isLessThan(21);
		await().atMost(Duration.ofSeconds(20)).until(() -> this.node.listeners().nodes.size() == 2);
		assertThat(this.node.listeners().nodes).extracting(CoordinatorEvent::getRevision).containsExactlyElementsOf(revisions);
		await().atMost(Duration.ofSeconds(20)).until(() -> this.node.listeners().stateView.isEmpty());
	}

	@Test
	void aBucketCreatedAnewOnAServerBackWithoutItsStoreIsReadFromItsStartThoughItRewroteTheNodesLastKey()
			throws Exception {
		this.node = TestNode.start(this.server.url(), "wiped", "node-a", "coordinator.bucket.history=1",
				"coordinator.write.timeout=2s", "coordinator.write.attempts=10");
		Coordinator coordinator = this.node.coordinator();
		for (int i = 0; i < 10; i++) {
			coordinator.put("/other/" + i, bytes("x"));
		}
		long last = coordinator.put("/other/last", bytes("x"));
		await().until(() -> this.node.listeners().all.size() == 11);
		StreamConfiguration configuration;
		try (Connection raw = Nats.connect(this.server.url())) {
			configuration = raw.jetStreamManagement().getStreamInfo("KV_wiped").getConfiguration();
		}

		this.server.process().kill();
		Path store = this.server.process().storeDir();
		delete(store);
		Files.createDirectories(store);
		this.server.process().restart();
		List<Long> revisions = new ArrayList<>();
		try (Connection raw = Nats.connect(this.server.url())) {
			raw.jetStreamManagement().addStream(configuration);
			KeyValue bucket = raw.keyValue("wiped");
			while (revisions.size() < last - 1) {
				revisions.add(bucket.put("nodes.raw-" + revisions.size(), "x"));
			}
			// The node's last revision now belongs to a write of its last key that a later one superseded: the
			// log looks like the one it read, whose key was written again since
			for (int i = 0; i < 5; i++) {
				bucket.put("other.last", "y");
			}
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> this.node.listeners().nodes.size() >= revisions.size());
		assertThat(this.node.listeners().nodes).extracting(CoordinatorEvent::getRevision)
			.containsExactlyElementsOf(revisions);
	}

	@Test
	void aStreamThatOnlyReportsAnotherCreationTimeIsNotReadAgainFromItsStart() throws Exception {
		this.node = TestNode.start(this.server.url(), "same", "node-a", "coordinator.bucket.history=1",
				"coordinator.write.timeout=2s", "coordinator.write.attempts=10");
		Coordinator coordinator = this.node.coordinator();
		for (int i = 0; i < 10; i++) {
			coordinator.put("/nodes/before-" + i, bytes("x"));
		}
		await().until(() -> this.node.listeners().nodes.size() == 10);
		ZonedDateTime created;
		try (Connection raw = Nats.connect(this.server.url())) {
			created = raw.jetStreamManagement().getStreamInfo("KV_same").getCreateTime();
		}
		// nats-server 2.9 reports a file-backed stream's last restart as its creation time once its configuration
		// was updated after that restart
		this.server.process().kill();
		this.server.process().restart();
		try (Connection raw = Nats.connect(this.server.url())) {
			JetStreamManagement management = raw.jetStreamManagement();
			StreamConfiguration configuration = management.getStreamInfo("KV_same").getConfiguration();
			management.updateStream(StreamConfiguration.builder(configuration).description("updated").build());
		}
		this.server.process().kill();
		this.server.process().restart();
		try (Connection raw = Nats.connect(this.server.url())) {
			JetStreamManagement management = raw.jetStreamManagement();
			assertThat(management.getStreamInfo("KV_same").getCreateTime()).isNotEqualTo(created);
			// With its consumer gone, the node creates it again, after the revision it reached
			management.deleteConsumer("KV_same", "same_node-a");
		}
		long after = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
			.until(() -> coordinator.put("/nodes/after", bytes("x")), (written) -> true);

		await().atMost(Duration.ofSeconds(20)).until(() -> this.node.listeners().nodes.size() >= 11);
		assertThat(this.node.listeners().nodes).extracting(CoordinatorEvent::getKey).doesNotHaveDuplicates()
			.endsWith("/nodes/after");
		assertThat(this.node.listeners().nodes).last().extracting(CoordinatorEvent::getRevision).isEqualTo(after);
	}

	/**
	 * A listener that holds the reader until released.
	 */
	static class Blocking {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@CoordinatorListener(prefix = "/block/")
		void hold(CoordinatorEvent event) throws InterruptedException {
			this.entered.countDown();
			this.release.await(30, TimeUnit.SECONDS);
		}

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
