package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamInfoOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.coordinator.TestNode.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Where a node records the last revision it processed (docs/wire-format.md): in its namespace's own bucket,
 * under a KV key no coordinator key maps to, read from the bucket {@code <namespace>_nodes} of earlier
 * releases when only that has it; on a real nats-server.
 */
class NodeRecordsTests {

	/** The key of a node's record in its namespace's bucket. */
	private static final String RECORD_KEY = "_coordinator/nodes.";

	/** How releases before this one created the bucket of records. */
	private static final String LEGACY_DESCRIPTION = "Last revision each coordinator node processed";

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static Connection raw;

	private final List<TestNode> nodes = new ArrayList<>();

	@BeforeAll
	static void connect() throws Exception {
		raw = server.connect();
	}

	@AfterEach
	void stopNodes() {
		this.nodes.forEach(TestNode::close);
	}

	private TestNode node(String namespace, String nodeId) {
		TestNode node = TestNode.start(server.url(), namespace, nodeId);
		this.nodes.add(node);
		return node;
	}

	private void stop(TestNode node) {
		node.close();
		this.nodes.remove(node);
	}

	@Test
	void namespaceNamedLikeTheRecordBucketOfAnotherWorksBesideIt() {
		TestNode orders = node("orders", "node-a");
		TestNode ordersNodes = node("orders_nodes", "node-a");
		orders.coordinator().put("/nodes/order-1", bytes("order"));
		ordersNodes.coordinator().put("/nodes/other-1", bytes("other"));

		await().until(() -> keys(orders.listeners().all).contains("/nodes/order-1")
				&& keys(ordersNodes.listeners().all).contains("/nodes/other-1"));
		assertThat(keys(orders.listeners().all)).containsExactly("/nodes/order-1");
		assertThat(keys(ordersNodes.listeners().all)).containsExactly("/nodes/other-1");
		assertThat(orders.coordinator().keys("/")).containsExactly("/nodes/order-1");
		assertThat(ordersNodes.coordinator().keys("/")).containsExactly("/nodes/other-1");
	}

	@Test
	void bucketOfAnotherNamespaceIsNotTakenForOneOfLegacyRecords() {
		TestNode other = node("billing_nodes", "writer");
		// What a record of node 'node-a' of namespace 'billing' looked like in a bucket of records.
		other.coordinator().put("/node-a", bytes("1"));

		TestNode billing = node("billing", "node-a");

		await().until(() -> billing.listeners().lifecycle.stream().anyMatch(CoordinatorSyncedEvent.class::isInstance));
		assertThat(billing.listeners().lifecycle).noneMatch(CoordinatorResyncEvent.class::isInstance);
		assertThat(billing.container().statistics().resyncs()).isZero();
		other.coordinator().put("/probe", bytes("after"));
		await().until(() -> keys(other.listeners().all).contains("/probe"));
		assertThat(keys(other.listeners().all)).containsExactly("/node-a", "/probe");
		assertThat(other.coordinator().keys("/")).containsExactly("/node-a", "/probe");
	}

	@Test
	void nodeWhoseRecordIsOnlyInTheLegacyBucketIsRecognisedAsReturning() throws Exception {
		String namespace = "legacy";
		TestNode writer = node(namespace, "writer");
		writer.coordinator().put("/state/k1", bytes("v1"));
		long lastSeen = writer.coordinator().put("/state/k2", bytes("v2"));
		// As releases before this one recorded node 'returning' when it stopped after revision lastSeen.
		raw.keyValueManagement().create(KeyValueConfiguration.builder()
			.name(namespace + "_nodes")
			.description(LEGACY_DESCRIPTION)
			.maxHistoryPerKey(1)
			.ttl(Duration.ofDays(30))
			.storageType(StorageType.File)
			.replicas(1)
			.build());
		KeyValue legacy = raw.keyValue(namespace + "_nodes");
		long legacyRevision = legacy.put("returning", Long.toString(lastSeen).getBytes(StandardCharsets.US_ASCII));
		writer.coordinator().put("/state/k3", bytes("while away"));
		writer.coordinator().delete("/state/k1");

		TestNode back = node(namespace, "returning");

		// Recognised as returning: it resumes after the recorded revision, which the log still holds.
		await().until(() -> back.listeners().all.size() == 2);
		assertThat(back.listeners().all).extracting(CoordinatorEvent::getKey).containsExactly("/state/k3", "/state/k1");
		assertThat(back.listeners().lifecycle).noneMatch(CoordinatorResyncEvent.class::isInstance);
		assertThat(back.container().statistics().resyncs()).isZero();
		assertThat(back.listeners().stateView).containsOnlyKeys("/state/k2", "/state/k3");
		// Written in the new place only: the legacy bucket is left as it was.
		KeyValue bucket = raw.keyValue(namespace);
		assertThat(bucket.get(RECORD_KEY + "returning")).isNotNull();
		assertThat(legacy.get("returning").getRevision()).isEqualTo(legacyRevision);

		// From then on the record in the namespace's bucket is the one read.
		long lastProcessed = back.container().lastProcessedRevision();
		stop(back);
		assertThat(value(bucket.get(RECORD_KEY + "returning"))).isEqualTo(Long.toString(lastProcessed));
		raw.jetStreamManagement().deleteConsumer("KV_" + namespace, namespace + "_returning");
		writer.coordinator().put("/state/k4", bytes("after"));
		TestNode again = node(namespace, "returning");

		await().until(() -> again.listeners().all.size() >= 1);
		await().during(Duration.ofMillis(500)).until(() -> again.listeners().all.size() == 1);
		assertThat(again.listeners().all).extracting(CoordinatorEvent::getKey).containsExactly("/state/k4");
		assertThat(lastProcessed).isGreaterThan(lastSeen);
	}

	@Test
	void recordsReachNoListenerAreNotDeadLetteredAndAreNoKeys() throws Exception {
		String namespace = "records";
		TestNode a = node(namespace, "node-a");
		List<String> watched = new CopyOnWriteArrayList<>();
		a.coordinator().watch("/", (event) -> watched.add(event.getKey()));
		TestNode b = node(namespace, "node-b");
		a.coordinator().put("/nodes/one", bytes("1"));
		await().until(() -> keys(b.listeners().all).contains("/nodes/one"));
		stop(b);
		TestNode bAgain = node(namespace, "node-b");
		long last = a.coordinator().put("/nodes/two", bytes("2"));

		await().until(() -> keys(a.listeners().all).contains("/nodes/two")
				&& keys(bAgain.listeners().all).contains("/nodes/two"));
		// Both records are in the bucket's stream, before the last change node-a received.
		KeyValue bucket = raw.keyValue(namespace);
		KeyValueEntry recordA = bucket.get(RECORD_KEY + "node-a");
		KeyValueEntry recordB = bucket.get(RECORD_KEY + "node-b");
		assertThat(recordA).isNotNull();
		assertThat(recordB).isNotNull();
		assertThat(recordB.getRevision()).isLessThan(last);
		assertThat(keys(a.listeners().all)).containsExactly("/nodes/one", "/nodes/two");
		assertThat(watched).containsExactly("/nodes/one", "/nodes/two");
		assertThat(keys(bAgain.listeners().all)).containsExactly("/nodes/two");
		for (TestNode node : List.of(a, bAgain)) {
			assertThat(node.container().statistics().malformed()).isZero();
			assertThat(node.container().statistics().deadLettered()).isZero();
			assertThat(node.coordinator().keys("/")).containsExactly("/nodes/one", "/nodes/two");
			assertThat(node.coordinator().list("/")).extracting(CoordinatorEntry::key)
				.containsExactly("/nodes/one", "/nodes/two");
			assertThat(node.coordinator().keys("/_coordinator")).isEmpty();
			assertThat(node.coordinator().keys("/_coordinator/")).isEmpty();
		}
		assertThat(raw.jetStreamManagement().getStreamInfo(namespace + "_dead_letters").getStreamState().getMsgCount())
			.isZero();
		// Acknowledged, not left pending or delivered again.
		await().untilAsserted(() -> {
			ConsumerInfo consumer = raw.jetStreamManagement().getConsumerInfo("KV_" + namespace, namespace + "_node-a");
			assertThat(consumer.getNumAckPending()).isZero();
			assertThat(consumer.getNumPending()).isZero();
			assertThat(consumer.getRedelivered()).isZero();
		});
		// The bucket of records of earlier releases is no longer created.
		assertThatExceptionOfType(JetStreamApiException.class)
			.isThrownBy(() -> raw.keyValueManagement().getStatus(namespace + "_nodes"))
			.satisfies((ex) -> assertThat(ex.getApiErrorCode()).isEqualTo(10059));
	}

	@Test
	void aNodeWithAGeneratedIdLeavesNeitherConsumerNorRecordBehind() throws Exception {
		String namespace = "generated";
		TestNode generated = node(namespace, "");
		String nodeId = generated.coordinator().nodeId();
		KeyValue bucket = raw.keyValue(namespace);
		assertThat(bucket.get(RECORD_KEY + nodeId)).isNotNull();
		assertThat(value(bucket.get(RECORD_KEY + nodeId))).endsWith(" ephemeral");

		stop(generated);

		assertThat(raw.jetStreamManagement().getConsumerNames("KV_" + namespace)).doesNotContain(namespace + "_" + nodeId);
		assertThat(bucket.get(RECORD_KEY + nodeId)).isNull();
		assertThat(raw.jetStreamManagement().getStreamInfo("KV_" + namespace, StreamInfoOptions.allSubjects())
			.getStreamState()
			.getSubjects()).noneMatch((subject) -> subject.getName().endsWith(RECORD_KEY + nodeId));
	}

	@Test
	void recordsOfCrashedNodesWithGeneratedIdsAreRemovedByTheNextNodeAndConfiguredOnesKept() throws Exception {
		String namespace = "sweep";
		TestNode configured = TestNode.start(server.url(), namespace, "configured",
				"coordinator.consumer.inactive-threshold=1s");
		stop(configured);
		KeyValue bucket = raw.keyValue(namespace);
		// As a node with a generated id leaves it when it is killed: its consumer expires, its record stays.
		bucket.put(RECORD_KEY + "node-crashed", "3 ephemeral".getBytes(StandardCharsets.US_ASCII));
		await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ofMillis(1500))
			.until(() -> !raw.jetStreamManagement().getConsumerNames("KV_" + namespace).contains(namespace + "_configured"));

		TestNode next = TestNode.start(server.url(), namespace, "next", "coordinator.consumer.inactive-threshold=1s");
		this.nodes.add(next);

		await().atMost(Duration.ofSeconds(10)).until(() -> bucket.get(RECORD_KEY + "node-crashed") == null);
		assertThat(bucket.get(RECORD_KEY + "configured")).isNotNull();
	}

	private static String value(KeyValueEntry entry) {
		return new String(entry.getValue(), StandardCharsets.US_ASCII);
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
