package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.nats.DeliveryStatistics;
import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.KeyValuePurgeOptions;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.coordinator.TestNode.keys;
import static dev.coordinator.TestNode.revisions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The delivery contract of docs/delivery.md under listener failures, poison messages, a lost place in the
 * log, slow listeners and startup races, on real nats-server processes.
 */
class DeliveryGuaranteeTests {

	private static final AtomicInteger namespaces = new AtomicInteger();

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static Connection raw;

	private final List<TestNode> nodes = new ArrayList<>();

	private final String namespace = "delivery-" + namespaces.incrementAndGet();

	@BeforeAll
	static void connect() throws Exception {
		raw = server.connect();
	}

	@AfterEach
	void stopNodes() {
		this.nodes.forEach(TestNode::close);
	}

	private TestNode node(String nodeId, String... properties) {
		List<String> all = new ArrayList<>(List.of("coordinator.listener.backoff=10ms", "coordinator.listener.max-backoff=40ms"));
		all.addAll(List.of(properties));
		TestNode node = TestNode.start(server.url(), this.namespace, nodeId, all.toArray(String[]::new));
		this.nodes.add(node);
		return node;
	}

	@Test
	void listenerFailingInEveryAttemptIsDeadLetteredAndOthersKeepFlowing() throws Exception {
		TestNode node = node("node-a", "coordinator.listener.attempts=4");
		long revision = node.coordinator().put("/fail/x", bytes("payload"));
		node.coordinator().put("/nodes/next", bytes("next"));

		await().until(() -> node.listeners().nodes.size() == 1);
		assertThat(node.listeners().afterFailure).extracting(CoordinatorEvent::getRevision).containsExactly(revision);
		assertThat(node.listeners().failures).singleElement().satisfies((failure) -> {
			assertThat(failure.getListenerId()).endsWith("failing(dev.coordinator.CoordinatorEvent)");
			assertThat(failure.getAttempts()).isEqualTo(4);
			assertThat(failure.getEvent().getRevision()).isEqualTo(revision);
			assertThat(failure.getFailure()).hasMessage("listener failure for /fail/x");
		});
		assertThat(node.container().statistics().deadLettered()).isEqualTo(1);
		Message deadLetter = lastDeadLetter();
		assertThat(new String(deadLetter.getData(), StandardCharsets.UTF_8)).isEqualTo("payload");
		assertThat(deadLetter.getHeaders().getFirst("Coordinator-Revision")).isEqualTo(Long.toString(revision));
		assertThat(deadLetter.getHeaders().getFirst("Coordinator-Subject")).isEqualTo("$KV." + this.namespace + ".fail.x");
		assertThat(deadLetter.getHeaders().getFirst("Coordinator-Listener")).contains("failing");
		assertThat(deadLetter.getHeaders().getFirst("Coordinator-Reason")).contains("listener failure for /fail/x");
		assertThat(deadLetter.getHeaders().getFirst("Coordinator-Node")).isEqualTo("node-a");
	}

	@Test
	void listenerFailingFewerTimesThanItsAttemptsReceivesEachEventOnceInOrder() {
		TestNode node = node("node-a", "coordinator.listener.attempts=3");
		List<String> calls = new CopyOnWriteArrayList<>();
		Map<String, Integer> failuresLeft = new HashMap<>(Map.of("/flaky/a@1", 2, "/flaky/a@3", 1));
		node.coordinator().watch("/flaky/", (event) -> {
			String call = event.getKey() + "@" + new String(event.getValue(), StandardCharsets.UTF_8);
			calls.add(call);
			if (failuresLeft.merge(call, -1, Integer::sum) >= 0) {
				throw new IllegalStateException("transient failure of " + call);
			}
		});
		for (int i = 1; i <= 4; i++) {
			node.coordinator().put("/flaky/a", bytes(Integer.toString(i)));
			int written = i;
			// One write at a time: with history 1 an unread revision may be superseded by the next.
			await().until(() -> calls.contains("/flaky/a@" + written) && calls.get(calls.size() - 1).equals("/flaky/a@" + written)
					&& failuresLeft.getOrDefault("/flaky/a@" + written, -1) < 0);
		}

		assertThat(calls).containsExactly("/flaky/a@1", "/flaky/a@1", "/flaky/a@1", "/flaky/a@2", "/flaky/a@3",
				"/flaky/a@3", "/flaky/a@4");
		assertThat(node.container().statistics().deadLettered()).isZero();
		assertThat(node.listeners().failures).isEmpty();
	}

	@Test
	void valueThatTheListenerCannotReadIsDeadLetteredWithoutRetries() throws Exception {
		TestNode node = node("node-a", "coordinator.listener.attempts=5");
		List<Member> members = new CopyOnWriteArrayList<>();
		node.coordinator().watch("/members/", (event) -> members.add(event.valueAs(Member.class)));
		long bad = node.coordinator().put("/members/broken", bytes("not json"));
		node.coordinator().putJson("/members/fine", new Member("fine", 1));

		await().until(() -> members.size() == 1);
		assertThat(members).containsExactly(new Member("fine", 1));
		assertThat(node.listeners().failures).singleElement().satisfies((failure) -> {
			assertThat(failure.getListenerId()).isEqualTo("watch:/members/");
			assertThat(failure.getAttempts()).isEqualTo(1);
			assertThat(failure.getEvent().getRevision()).isEqualTo(bad);
			assertThat(failure.getFailure()).isInstanceOf(CoordinatorValueException.class)
				.hasMessageContaining("'/members/broken'")
				.hasMessageContaining(Member.class.getName());
		});
		assertThat(lastDeadLetter().getHeaders().getFirst("Coordinator-Listener")).isEqualTo("watch:/members/");
	}

	record Member(String id, int port) {
	}

	@Test
	void poisonMessagesAreDeadLetteredCountedAndSkipped() throws Exception {
		TestNode node = node("node-a");
		String prefix = "$KV." + this.namespace + ".";
		raw.publish(prefix + "bad=ZZkey", bytes("undecodable key"));
		raw.publish(prefix + "nodes.future", new Headers().put("Coordinator-Format", "2"), bytes("unknown format"));
		raw.publish(prefix + "nodes.odd", new Headers().put("Coordinator-Notify", "maybe"), bytes("bad header"));
		raw.publish(prefix + "nodes.op", new Headers().put("KV-Operation", "EXPLODE"), bytes("bad operation"));
		raw.publish(prefix + "nodes.binary", new byte[] { 0, (byte) 0xFF, 7 });
		raw.flush(Duration.ofSeconds(5));
		node.coordinator().put("/nodes/after", bytes("fine"));

		await().until(() -> keys(node.listeners().nodes).contains("/nodes/after"));
		assertThat(keys(node.listeners().nodes)).containsExactly("/nodes/binary", "/nodes/after");
		DeliveryStatistics statistics = node.container().statistics();
		assertThat(statistics.malformed()).isEqualTo(4);
		assertThat(statistics.delivered()).isEqualTo(2);
		List<String> reasons = deadLetters().stream().map((message) -> message.getHeaders().getFirst("Coordinator-Reason")).toList();
		assertThat(reasons).hasSize(4)
			.anySatisfy((reason) -> assertThat(reason).contains("invalid escape"))
			.anySatisfy((reason) -> assertThat(reason).contains("format version '2'"))
			.anySatisfy((reason) -> assertThat(reason).contains("Coordinator-Notify 'maybe'"))
			.anySatisfy((reason) -> assertThat(reason).contains("KV-Operation 'EXPLODE'"));
		// Nothing stays unacknowledged, nothing is delivered again.
		await().untilAsserted(() -> {
			ConsumerInfo consumer = raw.jetStreamManagement().getConsumerInfo("KV_" + this.namespace,
					this.namespace + "_node-a");
			assertThat(consumer.getNumAckPending()).isZero();
			assertThat(consumer.getRedelivered()).isZero();
		});
	}

	@Test
	void initialStateListenerSeesTheStoredStateThenEveryLaterChangeDuringConcurrentWrites() throws Exception {
		TestNode writer = node("writer");
		for (int i = 0; i < 50; i++) {
			writer.coordinator().put("/state/k" + i, bytes("v0"));
		}
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicInteger round = new AtomicInteger();
		Thread writes = new Thread(() -> {
			while (writing.get()) {
				int r = round.incrementAndGet();
				writer.coordinator().put("/state/k" + (r % 60), bytes("v" + r));
				if (r % 7 == 0) {
					writer.coordinator().delete("/state/k" + (r % 50));
				}
			}
		});
		writes.start();
		TestNode reader = node("reader");
		await().until(() -> round.get() > 300);
		writing.set(false);
		writes.join();
		long last = writer.coordinator().put("/state/last", bytes("end"));

		await().until(() -> reader.listeners().stateView.containsKey("/state/last"));
		assertThat(reader.listeners().stateView).isEqualTo(stored(writer.coordinator(), "/state/"));
		assertThat(reader.listeners().lifecycle).first().isInstanceOf(CoordinatorSyncedEvent.class);
		Map<String, Long> lastRevision = new HashMap<>();
		for (CoordinatorEvent event : reader.listeners().stateEvents) {
			Long previous = lastRevision.put(event.getKey(), event.getRevision());
			assertThat(previous == null || previous < event.getRevision())
				.as("revisions of %s in order: %s then %s", event.getKey(), previous, event.getRevision())
				.isTrue();
		}
		assertThat(reader.listeners().stateEvents).filteredOn(CoordinatorEvent::isReplay).isNotEmpty();
		assertThat(reader.listeners().stateEvents.get(reader.listeners().stateEvents.size() - 1).getRevision())
			.isEqualTo(last);
	}

	@Test
	void nodeAwayLongerThanItsConsumerLivesResynchronisesItsInitialStateListeners() throws Exception {
		TestNode writer = node("writer");
		TestNode away = node("away", "coordinator.consumer.inactive-threshold=1s");
		for (int i = 0; i < 10; i++) {
			writer.coordinator().put("/state/k" + i, bytes("v0"));
		}
		await().until(() -> away.listeners().stateView.size() == 10);

		away.context().stop();
		JetStreamManagement management = raw.jetStreamManagement();
		await().atMost(Duration.ofSeconds(30)).until(() -> consumerGone(management, "KV_" + this.namespace,
				this.namespace + "_away"));
		writer.coordinator().put("/state/k1", bytes("v1"));
		writer.coordinator().delete("/state/k2");
		writer.coordinator().delete("/state/k3");
		writer.coordinator().put("/state/k10", bytes("new"));
		KeyValue kv = raw.keyValue(this.namespace);
		kv.purgeDeletes(KeyValuePurgeOptions.builder().deleteMarkersNoThreshold().build());
		long lastBefore = away.container().lastProcessedRevision();
		away.context().start();

		await().until(() -> away.listeners().lifecycle.stream().anyMatch(CoordinatorResyncEvent.class::isInstance));
		await().until(() -> away.listeners().stateView.equals(stored(writer.coordinator(), "/state/")));
		CoordinatorResyncEvent resync = away.listeners().lifecycle.stream()
			.filter(CoordinatorResyncEvent.class::isInstance)
			.map(CoordinatorResyncEvent.class::cast)
			.findFirst()
			.orElseThrow();
		assertThat(resync.getLastRevision()).isEqualTo(lastBefore);
		assertThat(resync.getRevision()).isGreaterThan(lastBefore);
		assertThat(away.container().statistics().resyncs()).isEqualTo(1);
		writer.coordinator().put("/state/after", bytes("live"));
		await().until(() -> away.listeners().stateView.containsKey("/state/after"));
		assertThat(away.listeners().stateView).isEqualTo(stored(writer.coordinator(), "/state/"));
	}

	@Test
	void nodeRestartedAfterItsConsumerExpiredResumesWhereItLeftOffWhenTheLogStillHoldsIt() throws Exception {
		TestNode writer = node("writer");
		TestNode away = node("away", "coordinator.consumer.inactive-threshold=1s");
		writer.coordinator().put("/state/k1", bytes("v0"));
		await().until(() -> away.listeners().stateView.size() == 1);
		away.close();
		this.nodes.remove(away);
		await().atMost(Duration.ofSeconds(30)).until(() -> consumerGone(raw.jetStreamManagement(),
				"KV_" + this.namespace, this.namespace + "_away"));
		long put = writer.coordinator().put("/state/k2", bytes("while away"));
		writer.coordinator().delete("/state/k1");

		TestNode back = node("away");

		await().until(() -> back.listeners().all.size() == 2);
		assertThat(back.listeners().all).extracting(CoordinatorEvent::getAction, CoordinatorEvent::getKey)
			.containsExactly(tuple(CoordinatorAction.PUT, "/state/k2"), tuple(CoordinatorAction.DELETE, "/state/k1"));
		assertThat(back.listeners().all.get(0).getRevision()).isEqualTo(put);
		assertThat(back.listeners().stateView).isEqualTo(Map.of("/state/k2", "while away"));
		assertThat(back.listeners().lifecycle).noneMatch(CoordinatorResyncEvent.class::isInstance);
		assertThat(back.container().statistics().resyncs()).isZero();
	}

	@Test
	void nodeRestartedAfterItsConsumerExpiredIsToldWhenRevisionsItMissedAreGone() throws Exception {
		TestNode writer = node("writer");
		TestNode away = node("away", "coordinator.consumer.inactive-threshold=1s");
		writer.coordinator().put("/state/k1", bytes("v0"));
		await().until(() -> away.listeners().stateView.size() == 1);
		long lastSeen = away.container().lastProcessedRevision();
		away.close();
		this.nodes.remove(away);
		await().atMost(Duration.ofSeconds(30)).until(() -> consumerGone(raw.jetStreamManagement(),
				"KV_" + this.namespace, this.namespace + "_away"));
		writer.coordinator().put("/state/k2", bytes("while away"));
		writer.coordinator().delete("/state/k1");
		raw.keyValue(this.namespace).purgeDeletes(KeyValuePurgeOptions.builder().deleteMarkersNoThreshold().build());

		TestNode back = node("away");

		await().until(() -> back.listeners().lifecycle.stream().anyMatch(CoordinatorSyncedEvent.class::isInstance));
		assertThat(back.listeners().lifecycle).first().isInstanceOfSatisfying(CoordinatorResyncEvent.class, (resync) -> {
			assertThat(resync.getReason()).contains("expired while the node was away");
			assertThat(resync.getLastRevision()).isEqualTo(lastSeen);
			assertThat(resync.getRevision()).isGreaterThan(lastSeen);
		});
		assertThat(back.listeners().stateView).isEqualTo(Map.of("/state/k2", "while away"));
		assertThat(back.container().statistics().resyncs()).isEqualTo(1);
	}

	@Test
	void slowListenerIsNotRedeliveredAndDoesNotHoldBackOtherNodes() throws Exception {
		TestNode fast = node("fast");
		TestNode slow = node("slow", "coordinator.consumer.ack-wait=1s", "coordinator.consumer.batch-size=2",
				"coordinator.consumer.max-ack-pending=4");
		List<Long> slowRevisions = new CopyOnWriteArrayList<>();
		slow.coordinator().watch("/slow/", (event) -> {
			slowRevisions.add(event.getRevision());
			// The first event takes longer than the ack wait: in-progress acks must keep it from being redelivered.
			long until = System.nanoTime() + Duration.ofMillis(slowRevisions.size() == 1 ? 2500 : 300).toNanos();
			while (System.nanoTime() < until) {
				Thread.onSpinWait();
			}
		});
		List<Long> written = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			written.add(fast.coordinator().put("/slow/k" + i, bytes("v" + i)));
		}

		await().until(() -> revisions(fast.listeners().all).size() == 8);
		assertThat(slowRevisions.size()).isLessThan(8);
		ConsumerInfo slowConsumer = raw.jetStreamManagement().getConsumerInfo("KV_" + this.namespace, this.namespace + "_slow");
		assertThat(slowConsumer.getNumAckPending()).isLessThanOrEqualTo(4);
		await().atMost(Duration.ofSeconds(30)).until(() -> slowRevisions.size() >= 8);
		assertThat(slowRevisions).containsExactlyElementsOf(written);
		assertThat(revisions(slow.listeners().all)).containsExactlyElementsOf(written);
	}

	private Message lastDeadLetter() throws Exception {
		List<Message> all = deadLetters();
		return all.get(all.size() - 1);
	}

	private List<Message> deadLetters() throws Exception {
		JetStreamManagement management = raw.jetStreamManagement();
		String stream = this.namespace + "_dead_letters";
		long last = management.getStreamInfo(stream).getStreamState().getLastSequence();
		List<Message> messages = new ArrayList<>();
		for (long seq = 1; seq <= last; seq++) {
			var info = management.getMessage(stream, seq);
			messages.add(new io.nats.client.impl.NatsMessage(info.getSubject(), null, info.getHeaders(), info.getData()));
		}
		return messages;
	}

	private static Map<String, String> stored(Coordinator coordinator, String prefix) {
		Map<String, String> state = new HashMap<>();
		coordinator.list(prefix).forEach((entry) -> state.put(entry.key(), new String(entry.value(), StandardCharsets.UTF_8)));
		return state;
	}

	private static boolean consumerGone(JetStreamManagement management, String stream, String durable) throws Exception {
		try {
			management.getConsumerInfo(stream, durable);
			return false;
		}
		catch (JetStreamApiException ex) {
			return ex.getApiErrorCode() == 10014;
		}
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
