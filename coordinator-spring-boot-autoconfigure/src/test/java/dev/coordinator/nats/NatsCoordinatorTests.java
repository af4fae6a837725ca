package dev.coordinator.nats;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorException;
import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.impl.Headers;
import dev.coordinator.listener.CoordinatorListenerRegistry;
import dev.coordinator.listener.DefaultCoordinatorErrorHandler;
import dev.coordinator.listener.EventDispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ApplicationEventPublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@link NatsCoordinator} on its own, against a real nats-server, with events collected from its publisher.
 */
class NatsCoordinatorTests {

	private static final AtomicInteger namespaces = new AtomicInteger();

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static Connection connection;

	private final List<CoordinatorEvent> events = new CopyOnWriteArrayList<>();

	private NatsCoordinatorSettings settings;

	private NatsCoordinator coordinator;

	private EventLogContainer container;

	@BeforeAll
	static void connect() throws Exception {
		connection = server.connect();
	}

	@BeforeEach
	void startCoordinator() {
		this.settings = NatsCoordinatorSettings.defaults("node-1", "api-" + namespaces.incrementAndGet());
		this.coordinator = start(this.settings);
	}

	@AfterEach
	void stopCoordinator() {
		this.container.stop();
		this.coordinator.destroy();
	}

	private NatsCoordinator start(NatsCoordinatorSettings settings) {
		NatsCoordinator started = new NatsCoordinator(connection, settings);
		started.afterPropertiesSet();
		ApplicationEventPublisher publisher = (event) -> {
			if (event instanceof CoordinatorEvent coordinatorEvent) {
				this.events.add(coordinatorEvent);
			}
		};
		DeadLetterRecoverer deadLetters = new DeadLetterRecoverer(connection, settings, publisher);
		deadLetters.afterPropertiesSet();
		EventDispatcher dispatcher = new EventDispatcher(publisher, new CoordinatorListenerRegistry(),
				started.getWatchRegistry(), new DefaultCoordinatorErrorHandler(deadLetters));
		this.container = new EventLogContainer(started, dispatcher, deadLetters);
		this.container.afterPropertiesSet();
		this.container.start();
		return started;
	}

	@Test
	void aListingOfKeysInterruptedByAFrozenServerFailsInsteadOfReturningPartOfThem() throws Exception {
		int count = 100_000;
		writeMany(count);
		NatsCoordinator reader = reader(new NatsCoordinatorSettings.Read(Duration.ofMillis(500), 1));
		JetStreamManagement management = connection.jetStreamManagement();
		long consumers = management.getStreamInfo(this.settings.streamName()).getStreamState().getConsumerCount();
		CompletableFuture<List<String>> listing = CompletableFuture.supplyAsync(() -> reader.keys("/many/"));
		try {
			// Once the listing's consumer exists, the server stops answering for longer than the read timeout.
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
				.until(() -> listing.isDone() || management.getStreamInfo(this.settings.streamName())
					.getStreamState()
					.getConsumerCount() > consumers);
			// Past the consumer's creation and its first deliveries: in the middle of the listing.
			await().pollDelay(Duration.ofMillis(300)).until(() -> true);
			server.process().suspend();
			try {
				await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
			}
			finally {
				server.process().resume();
			}
			try {
				assertThat(listing.get(30, TimeUnit.SECONDS)).hasSize(count);
			}
			catch (ExecutionException ex) {
				assertThat(ex.getCause()).isInstanceOf(CoordinatorException.class);
			}
		}
		finally {
			reader.destroy();
		}
	}

	@Test
	void listingsOfABucketWhoseConsumerTakesLongerThanTheReadTimeoutToCreateWaitLongerEachAttempt() {
		int count = 100_000;
		writeMany(count);
		// The server takes some 200-500 ms to create a listing's consumer on 100,000 keys, far longer than 50 ms.
		NatsCoordinator reader = reader(new NatsCoordinatorSettings.Read(Duration.ofMillis(50), 8));
		try {
			assertThat(reader.keys("/many/")).hasSize(count);
			assertThat(reader.list("/many/")).hasSize(count);
		}
		finally {
			reader.destroy();
		}
	}

	/**
	 * A second coordinator on the same bucket, reading with other settings.
	 */
	private NatsCoordinator reader(NatsCoordinatorSettings.Read read) {
		NatsCoordinatorSettings settings = new NatsCoordinatorSettings("node-2", this.settings.namespace(),
				this.settings.bucket(), this.settings.consumer(), this.settings.write(), read,
				this.settings.deadLetters());
		NatsCoordinator reader = new NatsCoordinator(connection, settings);
		reader.afterPropertiesSet();
		return reader;
	}

	private void writeMany(int count) {
		List<CompletableFuture<Long>> writes = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			writes.add(this.coordinator.putAsync("/many/key-" + i, new byte[] { 1 }));
			if (writes.size() == 1000) {
				writes.forEach(CompletableFuture::join);
				writes.clear();
			}
		}
		writes.forEach(CompletableFuture::join);
	}

	@Test
	void putThenGetReturnsTheStoredEntry() {
		Instant before = Instant.now().minusSeconds(1);
		long revision = this.coordinator.put("/config/a", bytes("1"));

		CoordinatorEntry entry = this.coordinator.get("/config/a").orElseThrow();
		assertThat(entry.key()).isEqualTo("/config/a");
		assertThat(entry.value()).isEqualTo(bytes("1"));
		assertThat(entry.revision()).isEqualTo(revision);
		assertThat(entry.created()).isAfter(before);
		assertThat(this.coordinator.get("/config/missing")).isEmpty();
		assertThat(this.coordinator.put("/config/a", bytes("2"))).isGreaterThan(revision);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/a", "/schema/org.table", "/x=y/%41", "/caf\u00e9/\u00fcber", "/emoji/\ud83d\ude80",
			"/dots/../.", "/star/*/>", "/sp ace", "/=2E" })
	void unusualKeysRoundTripThroughStorageListingAndEvents(String key) {
		long revision = this.coordinator.put(key, bytes(key));

		assertThat(this.coordinator.get(key)).hasValueSatisfying((entry) -> assertThat(entry.key()).isEqualTo(key));
		assertThat(this.coordinator.keys("/")).containsExactly(key);
		assertThat(this.coordinator.list("/")).extracting(CoordinatorEntry::key).containsExactly(key);
		await().until(() -> this.events.size() == 1);
		assertThat(this.events.get(0).getKey()).isEqualTo(key);
		assertThat(this.events.get(0).getRevision()).isEqualTo(revision);
	}

	@Test
	void prefixesArePlainStringPrefixesOfKeys() {
		for (String key : List.of("/nodes/b", "/nodes/a", "/nodes/ab/c", "/nodesx", "/node", "/other/nodes/a")) {
			this.coordinator.put(key, bytes(key));
		}
		this.coordinator.put("/nodes/deleted", bytes("x"));
		this.coordinator.delete("/nodes/deleted");

		assertThat(this.coordinator.keys("/nodes/")).containsExactly("/nodes/a", "/nodes/ab/c", "/nodes/b");
		assertThat(this.coordinator.keys("/nodes")).containsExactly("/nodes/a", "/nodes/ab/c", "/nodes/b", "/nodesx");
		assertThat(this.coordinator.keys("/nodes/a")).containsExactly("/nodes/a", "/nodes/ab/c");
		assertThat(this.coordinator.keys("/")).hasSize(6);
		assertThat(this.coordinator.keys("/none/")).isEmpty();
		assertThat(this.coordinator.list("/nodes/a")).extracting(CoordinatorEntry::key)
			.containsExactly("/nodes/a", "/nodes/ab/c");
		assertThat(this.coordinator.list("/nodes/a").get(0).value()).isEqualTo(bytes("/nodes/a"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.coordinator.keys("nodes/"))
			.withMessageContaining("keys start with '/'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.coordinator.watch("nodes/", (event) -> {
		})).withMessageContaining("keys start with '/'");
	}

	@Test
	void jsonValuesRoundTrip() {
		this.coordinator.putJson("/nodes/n1", new NodeInfo("n1", 8080));

		assertThat(this.coordinator.get("/nodes/n1").orElseThrow().valueAs(NodeInfo.class))
			.isEqualTo(new NodeInfo("n1", 8080));
		await().until(() -> this.events.size() == 1);
		assertThat(this.events.get(0).valueAs(NodeInfo.class)).isEqualTo(new NodeInfo("n1", 8080));
		assertThatIllegalArgumentException().isThrownBy(() -> this.coordinator.get("/nodes/n1").orElseThrow()
			.valueAs(Integer.class)).withMessageContaining("'/nodes/n1'").withMessageContaining("java.lang.Integer");
	}

	@Test
	void asyncPutsArePipelinedAndAnnounced() {
		List<CompletableFuture<Long>> futures = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			futures.add(this.coordinator.putAsync("/async/k" + (i % 50), bytes("v" + i)));
		}
		List<Long> revisions = futures.stream().map(CompletableFuture::join).toList();

		assertThat(revisions).isSorted().doesNotHaveDuplicates();
		assertThat(this.coordinator.get("/async/k49").orElseThrow().value()).isEqualTo(bytes("v499"));
		await().until(() -> !this.events.isEmpty()
				&& this.events.get(this.events.size() - 1).getRevision() == revisions.get(499));
	}

	@Test
	void badValuesAreRejectedAndLeaveTheStoredValueIntact() {
		this.coordinator.put("/config/big", bytes("small"));

		assertThatIllegalArgumentException().isThrownBy(() -> this.coordinator.put("/config/big", new byte[1024 * 1024 + 1]))
			.withMessageContaining("'/config/big'")
			.withMessageContaining("1048577 bytes")
			.withMessageContaining("coordinator.bucket.max-value-size");
		assertThatIllegalArgumentException().isThrownBy(() -> this.coordinator.putAsync("/config/big", new byte[1024 * 1024 + 1]))
			.withMessageContaining("coordinator.bucket.max-value-size");
		assertThatIllegalArgumentException().isThrownBy(() -> this.coordinator.put("/config/big", null))
			.withMessageContaining("null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.coordinator.put("config/big", bytes("x")))
			.withMessageContaining("'config/big'");
		assertThat(this.coordinator.get("/config/big").orElseThrow().value()).isEqualTo(bytes("small"));
	}

	@Test
	void programsThatAreNotNodesCanWriteAndReadTheBucket() throws Exception {
		KeyValue kv = connection.keyValue(this.settings.bucketName());
		long put = kv.put("nodes.foreign", bytes("from go"));
		await().until(() -> this.events.size() == 1);
		kv.delete("nodes.foreign");
		kv.put("nodes.purged", bytes("x"));
		kv.purge("nodes.purged");
		this.coordinator.put("/nodes/ours", bytes("from java"));

		await().until(() -> lastEvent() != null && lastEvent().getKey().equals("/nodes/ours"));
		CoordinatorEvent foreignPut = this.events.get(0);
		assertThat(foreignPut.getKey()).isEqualTo("/nodes/foreign");
		assertThat(foreignPut.getValue()).isEqualTo(bytes("from go"));
		assertThat(foreignPut.getRevision()).isEqualTo(put);
		assertThat(foreignPut.getOrigin()).isNull();
		assertThat(foreignPut.isLocal()).isFalse();
		// A put superseded before the node read it may be coalesced; the latest state of every key arrives.
		assertThat(lastEventOf("/nodes/foreign").getAction()).isEqualTo(CoordinatorAction.DELETE);
		assertThat(lastEventOf("/nodes/purged").getAction()).isEqualTo(CoordinatorAction.DELETE);
		assertThat(lastEvent().getOrigin()).isEqualTo("node-1");
		assertThat(lastEvent().isLocal()).isTrue();
		assertThat(kv.get("nodes.ours").getValueAsString()).isEqualTo("from java");
	}

	private CoordinatorEvent lastEvent() {
		return this.events.isEmpty() ? null : this.events.get(this.events.size() - 1);
	}

	private CoordinatorEvent lastEventOf(String key) {
		return this.events.stream().filter((event) -> event.getKey().equals(key)).reduce((first, second) -> second)
			.orElseThrow();
	}

	@Test
	void messagesThatAreNotCoordinatorChangesAreSkipped() throws Exception {
		String prefix = "$KV." + this.settings.bucketName() + ".";
		connection.publish(prefix + "bad=ZZkey", bytes("undecodable key"));
		Headers future = new Headers().put("Coordinator-Format", "99");
		connection.publish(prefix + "nodes.future", future, bytes("unknown format"));
		Headers badOperation = new Headers().put("KV-Operation", "EXPLODE");
		connection.publish(prefix + "nodes.odd", badOperation, bytes("unknown operation"));
		connection.publish(prefix + "nodes.junk", new byte[] { 0, (byte) 0xFF, 1 });
		connection.flush(java.time.Duration.ofSeconds(5));
		this.coordinator.put("/nodes/after", bytes("fine"));

		await().until(() -> this.events.stream().anyMatch((event) -> event.getKey().equals("/nodes/after")));
		assertThat(this.events).extracting(CoordinatorEvent::getKey).containsExactly("/nodes/junk", "/nodes/after");
	}

	@Test
	void aPutAsyncTheServerRefusesFailsAtOnceSayingSo() throws Exception {
		String namespace = "full-" + namespaces.incrementAndGet();
		connection.keyValueManagement()
			.create(KeyValueConfiguration.builder()
				.name(namespace)
				.maxHistoryPerKey(1)
				.storageType(StorageType.File)
				.maxValueSize(1024 * 1024)
				.maxBucketSize(4096)
				.build());
		NatsCoordinator full = new NatsCoordinator(connection, NatsCoordinatorSettings.defaults("node-1", namespace));
		full.afterPropertiesSet();
		byte[] value = new byte[1000];
		for (int i = 0; i < 3; i++) {
			full.put("/fill/" + i, value);
		}

		long started = System.nanoTime();
		assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> full.putAsync("/fill/more", value).join())
			.havingCause()
			.isInstanceOf(CoordinatorException.class)
			.withMessageContaining("refused the put of key '/fill/more'");
		assertThat(Duration.ofNanos(System.nanoTime() - started))
			.isLessThan(NatsCoordinatorSettings.Write.DEFAULTS.timeout());
	}

	@Test
	void existingBucketWithOtherSettingsIsReportedAndLeftUnchanged() throws Exception {
		String namespace = "conflict-" + namespaces.incrementAndGet();
		connection.keyValueManagement()
			.create(KeyValueConfiguration.builder().name(namespace).maxHistoryPerKey(5).storageType(StorageType.Memory).build());
		NatsCoordinator conflicting = new NatsCoordinator(connection, NatsCoordinatorSettings.defaults("node-1", namespace));

		assertThatExceptionOfType(BucketConflictException.class).isThrownBy(conflicting::afterPropertiesSet)
			.withMessageContaining("history is 5 (configured: 1)")
			.withMessageContaining("storage is memory (configured: file)")
			.satisfies((ex) -> assertThat(ex.getConflicts()).extracting(BucketConflictException.Conflict::setting)
				.contains("history", "storage"));
		assertThat(connection.keyValueManagement().getStatus(namespace).getMaxHistoryPerKey()).isEqualTo(5);
	}

	@Test
	void stoppingEndsTheReaderThreadAndClosingWatchesReleasesThem() {
		var registration = this.coordinator.watch("/w/", (event) -> {
		});
		this.coordinator.watch("/w/", (event) -> {
		});
		assertThat(this.coordinator.toString()).contains("node-1");
		registration.close();

		this.container.stop();

		assertThat(this.container.isRunning()).isFalse();
		assertThat(Thread.getAllStackTraces().keySet()).noneMatch((thread) -> thread.isAlive()
				&& thread.getName().equals("coordinator-" + this.settings.namespace() + "-events"));
		assertThat(connection.getStatus()).isEqualTo(Connection.Status.CONNECTED);
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	record NodeInfo(String id, int port) {
	}

}
