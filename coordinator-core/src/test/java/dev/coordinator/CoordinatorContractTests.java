package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.CoordinatorMembership;
import dev.coordinator.membership.MemberJoinedEvent;
import dev.coordinator.membership.MemberLeftEvent;
import dev.coordinator.membership.MembershipSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The contract of {@link Coordinator} that every implementation keeps, as a technology compatibility kit: a
 * subclass per implementation says how to start a node, and runs these tests against it. They cover what
 * {@code Coordinator}'s Javadoc, {@code docs/delivery.md} and {@code docs/coordination.md} promise and what an
 * application can observe without knowing the implementation: reads and writes, listener prefixes and actions,
 * per-key order, initial state and {@link CoordinatorSyncedEvent}, compare-and-set, silent writes, watches,
 * views, and membership and locks across two nodes.
 *
 * <p>They assert only what the contract promises, so that every implementation can pass: a key written again
 * before a node read it may reach that node as its latest revision only (coalescing, as on NATS), so the tests
 * wait for a revision to arrive before they write its key again where they count intermediate events.
 */
public abstract class CoordinatorContractTests {

	private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

	/**
	 * Starts a node of the cluster under test: a started application context whose {@link Coordinator} bean is
	 * the implementation under test, with {@code @CoordinatorListener} methods wired, holding the given
	 * configuration classes. Every node started during one test shares one store, which is empty when the test
	 * begins.
	 * @param nodeId the node's id
	 * @param configurations configuration classes to add to the context
	 * @return the started context
	 */
	protected abstract ConfigurableApplicationContext startNode(String nodeId, Class<?>... configurations);

	private Node node(String nodeId) {
		ConfigurableApplicationContext context = startNode(nodeId, RecorderConfiguration.class);
		this.nodes.add(context);
		return new Node(context);
	}

	@AfterEach
	void closeNodes() {
		for (int i = this.nodes.size() - 1; i >= 0; i--) {
			this.nodes.get(i).close();
		}
		this.nodes.clear();
	}

	@Test
	public void writesAreStoredBeforeTheyReturnAndReadBack() {
		Coordinator coordinator = node("n1").coordinator();
		long first = coordinator.put("/t/a", bytes("1"));
		long second = coordinator.put("/t/b", new byte[0]);
		coordinator.put("/t/c/d", bytes("3"));
		coordinator.put("/u/x", bytes("4"));
		assertThat(second).isGreaterThan(first);
		assertThat(coordinator.get("/t/a")).hasValueSatisfying((entry) -> {
			assertThat(entry.key()).isEqualTo("/t/a");
			assertThat(string(entry.value())).isEqualTo("1");
			assertThat(entry.revision()).isEqualTo(first);
		});
		assertThat(coordinator.get("/t/b")).hasValueSatisfying((entry) -> assertThat(entry.value()).isEmpty());
		assertThat(coordinator.get("/t/missing")).isEmpty();
		assertThat(coordinator.keys("/t/")).containsExactly("/t/a", "/t/b", "/t/c/d");
		assertThat(coordinator.keys("/t/c")).containsExactly("/t/c/d");
		assertThat(coordinator.list("/t/")).extracting(CoordinatorEntry::key).containsExactly("/t/a", "/t/b", "/t/c/d");
		assertThat(coordinator.list("/")).hasSize(4);

		assertThat(coordinator.delete("/t/a")).isTrue();
		assertThat(coordinator.delete("/t/a")).isFalse();
		assertThat(coordinator.get("/t/a")).isEmpty();
		assertThat(coordinator.deletePrefix("/t/")).isEqualTo(2);
		assertThat(coordinator.keys("/")).containsExactly("/u/x");
	}

	@Test
	public void jsonValuesReadBackAsTheirType() {
		Coordinator coordinator = node("n1").coordinator();
		coordinator.putJson("/json/a", new Sample("a", 3));
		assertThat(coordinator.get("/json/a")).hasValueSatisfying(
				(entry) -> assertThat(entry.valueAs(Sample.class)).isEqualTo(new Sample("a", 3)));
		assertThat(coordinator.putJsonAsync("/json/b", new Sample("b", 4)).join()).isPositive();
		assertThat(coordinator.get("/json/b").orElseThrow().valueAs(Sample.class).count()).isEqualTo(4);
	}

	@Test
	public void invalidKeysAndValuesAreRejectedBeforeAnythingIsWritten() {
		Coordinator coordinator = node("n1").coordinator();
		assertThatIllegalArgumentException().isThrownBy(() -> coordinator.put("nodes/a", bytes("x")));
		assertThatIllegalArgumentException().isThrownBy(() -> coordinator.put("/nodes//a", bytes("x")));
		assertThatIllegalArgumentException().isThrownBy(() -> coordinator.put("/", bytes("x")));
		assertThatIllegalArgumentException().isThrownBy(() -> coordinator.put("/a", null));
		assertThatIllegalArgumentException().isThrownBy(() -> coordinator.putAsync("/a/", bytes("x")));
		assertThatIllegalArgumentException().isThrownBy(() -> coordinator.watch("nodes/", (event) -> {
		}));
		assertThat(coordinator.keys("/")).isEmpty();
	}

	@Test
	public void listenersReceiveTheEventsOfTheirPrefixAndActionsOnEveryNode() {
		Node writer = node("n1");
		Node reader = node("n2");
		long put = writer.coordinator().put("/a/1", bytes("v"));
		writer.coordinator().put("/b/1", bytes("v"));
		// A key written again before a node read it may arrive as its latest revision only (coalescing).
		for (Node node : List.of(writer, reader)) {
			await().until(() -> revisions(node.recorder().prefixA).contains(put));
		}
		writer.coordinator().delete("/a/1");
		long marker = writer.coordinator().put("/z/marker", bytes("end"));
		for (Node node : List.of(writer, reader)) {
			Recorder recorder = node.recorder();
			await().until(() -> revisions(recorder.all).contains(marker));
			assertThat(recorder.prefixA).extracting(CoordinatorEvent::getKey, CoordinatorEvent::getAction)
				.containsExactly(tuple("/a/1", CoordinatorAction.PUT), tuple("/a/1", CoordinatorAction.DELETE));
			assertThat(recorder.deletesA).extracting(CoordinatorEvent::getAction)
				.containsExactly(CoordinatorAction.DELETE);
			assertThat(keys(recorder.all)).containsExactly("/a/1", "/b/1", "/a/1", "/z/marker");
			CoordinatorEvent first = recorder.prefixA.get(0);
			assertThat(first.getRevision()).isEqualTo(put);
			assertThat(string(first.getValue())).isEqualTo("v");
			assertThat(first.getOrigin()).isEqualTo("n1");
			assertThat(first.isLocal()).isEqualTo(node == writer);
			assertThat(first.isReplay()).isFalse();
			assertThat(recorder.deletesA.get(0).getValue()).isNull();
		}
	}

	@Test
	public void eventsOfAKeyArriveInRevisionOrderWhateverTheNumberOfWriters() throws Exception {
		Node first = node("n1");
		Node second = node("n2");
		ExecutorService writers = Executors.newFixedThreadPool(4);
		try {
			List<Future<Long>> written = new ArrayList<>();
			for (Coordinator coordinator : List.of(first.coordinator(), second.coordinator(), first.coordinator(),
					second.coordinator())) {
				written.add(writers.submit(() -> {
					long last = 0;
					for (int i = 0; i < 50; i++) {
						last = Math.max(last, coordinator.put("/order/key", bytes(coordinator.nodeId() + "-" + i)));
					}
					return last;
				}));
			}
			long latest = 0;
			for (Future<Long> future : written) {
				latest = Math.max(latest, future.get(30, TimeUnit.SECONDS));
			}
			long expectedLast = latest;
			for (Node node : List.of(first, second)) {
				await().until(() -> !node.recorder().all.isEmpty()
						&& node.recorder().all.get(node.recorder().all.size() - 1).getRevision() == expectedLast);
				assertThat(revisions(node.recorder().all)).isSorted().doesNotHaveDuplicates();
			}
		}
		finally {
			writers.shutdownNow();
		}
	}

	@Test
	public void aStartingNodeReceivesTheStoredStateThenTheChangesAfterIt() {
		Node writer = node("n1");
		writer.coordinator().put("/state/a", bytes("a"));
		long b = writer.coordinator().put("/state/b", bytes("b"));
		writer.coordinator().delete("/state/b", b);
		long last = writer.coordinator().put("/other/x", bytes("x"));

		Node starting = node("n2");
		Recorder recorder = starting.recorder();
		await().until(() -> !recorder.synced.isEmpty());
		assertThat(recorder.synced.get(0).getRevision()).isGreaterThanOrEqualTo(last);
		assertThat(recorder.state).extracting(CoordinatorEvent::getKey, CoordinatorEvent::isReplay)
			.containsExactly(tuple("/state/a", true));
		assertThat(recorder.all).isEmpty();

		long c = writer.coordinator().put("/state/c", bytes("c"));
		await().until(() -> revisions(recorder.state).contains(c));
		assertThat(recorder.state).extracting(CoordinatorEvent::getKey, CoordinatorEvent::isReplay)
			.containsExactly(tuple("/state/a", true), tuple("/state/c", false));
		assertThat(recorder.all).extracting(CoordinatorEvent::getKey).containsExactly("/state/c");
		assertThat(writer.recorder().synced).hasSize(1);
	}

	@Test
	public void compareAndSetWritesSucceedOnlyOnTheRevisionTheyExpect() {
		Coordinator coordinator = node("n1").coordinator();
		long created = coordinator.create("/cas/k", bytes("1"));
		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.create("/cas/k", bytes("2")))
			.satisfies((conflict) -> assertThat(conflict.getCurrentRevision()).hasValue(created));
		long updated = coordinator.update("/cas/k", bytes("2"), created);
		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.update("/cas/k", bytes("3"), created))
			.satisfies((conflict) -> {
				assertThat(conflict.getKey()).isEqualTo("/cas/k");
				assertThat(conflict.getCurrentRevision()).hasValue(updated);
			});
		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.delete("/cas/k", created));
		assertThat(string(coordinator.get("/cas/k").orElseThrow().value())).isEqualTo("2");
		coordinator.delete("/cas/k", updated);
		assertThat(coordinator.get("/cas/k")).isEmpty();
		assertThatExceptionOfType(CoordinatorConflictException.class)
			.isThrownBy(() -> coordinator.update("/cas/k", bytes("4"), updated))
			.satisfies((conflict) -> assertThat(conflict.getCurrentRevision()).isEmpty());
		long recreated = coordinator.create("/cas/k", bytes("5"));
		assertThat(recreated).isGreaterThan(updated);
	}

	@Test
	public void concurrentCompareAndSetLosesNoIncrement() throws Exception {
		Node first = node("n1");
		Node second = node("n2");
		first.coordinator().create("/cas/counter", bytes("0"));
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (Coordinator coordinator : List.of(first.coordinator(), second.coordinator(), first.coordinator(),
					second.coordinator())) {
				done.add(threads.submit(() -> {
					for (int i = 0; i < 10; i++) {
						while (true) {
							CoordinatorEntry current = coordinator.get("/cas/counter").orElseThrow();
							int next = Integer.parseInt(string(current.value())) + 1;
							try {
								coordinator.update("/cas/counter", bytes(String.valueOf(next)), current.revision());
								break;
							}
							catch (CoordinatorConflictException ex) {
								// Another writer won: read again.
							}
						}
					}
				}));
			}
			for (Future<?> future : done) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(string(second.coordinator().get("/cas/counter").orElseThrow().value())).isEqualTo("40");
	}

	@Test
	public void silentWritesAreStoredWithoutEvents() {
		Node writer = node("n1");
		Node reader = node("n2");
		Coordinator coordinator = writer.coordinator();
		long created = coordinator.create("/a/silent", bytes("1"), false);
		long updated = coordinator.update("/a/silent", bytes("2"), created, false);
		coordinator.put("/a/quiet", bytes("q"), false);
		coordinator.delete("/a/quiet", false);
		List<CoordinatorEvent> watched = new CopyOnWriteArrayList<>();
		try (Registration watch = reader.coordinator().watch("/a/", watched::add)) {
			long loud = coordinator.update("/a/silent", bytes("3"), updated);
			for (Node node : List.of(writer, reader)) {
				await().until(() -> revisions(node.recorder().all).contains(loud));
				assertThat(revisions(node.recorder().all)).containsExactly(loud);
				assertThat(revisions(node.recorder().prefixA)).containsExactly(loud);
			}
			await().until(() -> revisions(watched).contains(loud));
			assertThat(revisions(watched)).containsExactly(loud);
		}
		assertThat(string(reader.coordinator().get("/a/silent").orElseThrow().value())).isEqualTo("3");
	}

	@Test
	public void watchesReceiveTheirPrefixUntilClosed() {
		Node writer = node("n1");
		Node watcher = node("n2");
		List<CoordinatorEvent> watched = new CopyOnWriteArrayList<>();
		List<CoordinatorEvent> everything = new CopyOnWriteArrayList<>();
		Registration watch = watcher.coordinator().watch("/w/", watched::add);
		try (Registration all = watcher.coordinator().watch("/", everything::add)) {
			long in = writer.coordinator().put("/w/1", bytes("1"));
			writer.coordinator().put("/x/1", bytes("1"));
			long other = writer.coordinator().put("/w/2", bytes("2"));
			await().until(() -> revisions(watched).contains(other));
			writer.coordinator().delete("/w/1");
			long marker = writer.coordinator().put("/x/marker", bytes("m"));
			await().until(() -> revisions(everything).contains(marker));
			assertThat(watched).extracting(CoordinatorEvent::getKey, CoordinatorEvent::getAction)
				.containsExactly(tuple("/w/1", CoordinatorAction.PUT), tuple("/w/2", CoordinatorAction.PUT),
						tuple("/w/1", CoordinatorAction.DELETE));
			assertThat(watched.get(0).getRevision()).isEqualTo(in);

			watch.close();
			writer.coordinator().put("/w/3", bytes("3"));
			long after = writer.coordinator().put("/x/after", bytes("a"));
			await().until(() -> revisions(everything).contains(after));
			assertThat(watched).hasSize(3);
		}
	}

	@Test
	public void viewsHoldTheStoredStateAndFollowIt() {
		Node writer = node("n1");
		Node holder = node("n2");
		writer.coordinator().put("/v/a", bytes("a"));
		long b = writer.coordinator().put("/v/b", bytes("b"));
		writer.coordinator().put("/elsewhere", bytes("e"));
		try (CoordinatorView view = holder.coordinator().view("/v/")) {
			assertThat(view.prefix()).isEqualTo("/v/");
			assertThat(view.entries()).containsOnlyKeys("/v/a", "/v/b");
			assertThat(view.revision()).isGreaterThanOrEqualTo(b);
			List<CoordinatorEvent> changes = new CopyOnWriteArrayList<>();
			view.onChange(changes::add);

			long silent = writer.coordinator().put("/v/a", bytes("a2"), false);
			writer.coordinator().delete("/v/b");
			long c = writer.coordinator().put("/v/c", bytes("c"));
			await().until(() -> view.revision() >= c && view.get("/v/c").isPresent());
			assertThat(view.entries()).containsOnlyKeys("/v/a", "/v/c");
			assertThat(view.get("/v/a")).hasValueSatisfying((entry) -> {
				assertThat(string(entry.value())).isEqualTo("a2");
				assertThat(entry.revision()).isEqualTo(silent);
			});
			assertThat(view.get("/elsewhere")).isEmpty();
			assertThat(changes).extracting(CoordinatorEvent::getKey, CoordinatorEvent::getAction)
				.containsExactly(tuple("/v/a", CoordinatorAction.PUT), tuple("/v/b", CoordinatorAction.DELETE),
						tuple("/v/c", CoordinatorAction.PUT));
		}
	}

	@Test
	public void membersSeeEachOtherJoinLeaveAndExpire() {
		Node first = node("n1");
		Node second = node("n2");
		MembershipSettings settings = new MembershipSettings("/members/", Duration.ofSeconds(2),
				Duration.ofMillis(500), Map.of());
		CoordinatorMembership firstMembership = membership(first, settings);
		CoordinatorMembership secondMembership = membership(second, settings);
		firstMembership.start();
		try {
			secondMembership.start();
			await().until(() -> firstMembership.members().keySet().equals(java.util.Set.of("n1", "n2")));
			await().until(() -> secondMembership.members().keySet().equals(java.util.Set.of("n1", "n2")));
			assertThat(secondMembership.self()).hasValueSatisfying((self) -> assertThat(self.nodeId()).isEqualTo("n2"));

			secondMembership.stop();
			await().until(() -> firstMembership.members().keySet().equals(java.util.Set.of("n1")));
			assertThat(first.recorder().membership).filteredOn(MemberLeftEvent.class::isInstance)
				.singleElement()
				.satisfies((left) -> {
					assertThat(((MemberLeftEvent) left).getMember().nodeId()).isEqualTo("n2");
					assertThat(((MemberLeftEvent) left).getReason()).isEqualTo(MemberLeftEvent.Reason.LEFT);
				});

			// A member that never renews (a process that died) is removed by the live node after the lease.
			second.coordinator().putJson("/members/ghost", CoordinatorMembership.describe("ghost", "gone", null, Map.of()));
			await().until(() -> firstMembership.isMember("ghost"));
			await().atMost(Duration.ofSeconds(15)).until(() -> !firstMembership.isMember("ghost"));
			assertThat(first.recorder().membership).filteredOn(MemberLeftEvent.class::isInstance)
				.map(MemberLeftEvent.class::cast)
				.filteredOn((left) -> left.getMember().nodeId().equals("ghost"))
				.singleElement()
				.satisfies((left) -> assertThat(left.getReason()).isEqualTo(MemberLeftEvent.Reason.EXPIRED));
		}
		finally {
			secondMembership.stop();
			firstMembership.stop();
		}
	}

	@Test
	public void aLockIsHeldByOneNodeAtATimeAndFreedByItsRelease() throws Exception {
		Node first = node("n1");
		Node second = node("n2");
		CoordinatorLocks firstLocks = new CoordinatorLocks(first.coordinator(), "/locks/", first.context());
		CoordinatorLocks secondLocks = new CoordinatorLocks(second.coordinator(), "/locks/", second.context());
		try {
			CoordinatorLock firstLock = firstLocks.obtain("job");
			CoordinatorLock secondLock = secondLocks.obtain("job");
			assertThat(firstLock.tryLock(Duration.ZERO, Duration.ofSeconds(5))).isTrue();
			long firstToken = firstLock.fencingToken();
			assertThat(secondLock.tryLock(Duration.ofMillis(300), Duration.ofSeconds(5))).isFalse();
			assertThat(firstLock.isHeld()).isTrue();

			firstLock.unlock();
			assertThat(secondLock.tryLock(Duration.ofSeconds(5), Duration.ofSeconds(5))).isTrue();
			assertThat(secondLock.fencingToken()).isGreaterThan(firstToken);
			assertThat(firstLock.tryLock(Duration.ofMillis(300), Duration.ofSeconds(5))).isFalse();
			secondLock.unlock();

			// A holder that died never renews: the lock is free once its TTL passed without renewal.
			first.coordinator().put("/locks/abandoned", bytes("{\"holder\":\"ghost\",\"ttlMillis\":1000}"));
			CoordinatorLock abandoned = secondLocks.obtain("abandoned");
			assertThat(abandoned.tryLock(Duration.ofSeconds(10), Duration.ofSeconds(5))).isTrue();
			abandoned.unlock();
		}
		finally {
			firstLocks.destroy();
			secondLocks.destroy();
		}
	}

	private static CoordinatorMembership membership(Node node, MembershipSettings settings) {
		Coordinator coordinator = node.coordinator();
		return new CoordinatorMembership(coordinator, settings, node.context(),
				() -> CoordinatorMembership.describe(coordinator.nodeId(), "localhost", null, Map.of()));
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	private static String string(byte[] value) {
		return new String(value, StandardCharsets.UTF_8);
	}

	private static List<Long> revisions(List<CoordinatorEvent> events) {
		return events.stream().map(CoordinatorEvent::getRevision).toList();
	}

	private static List<String> keys(List<CoordinatorEvent> events) {
		return events.stream().map(CoordinatorEvent::getKey).toList();
	}

	private static org.assertj.core.groups.Tuple tuple(Object... values) {
		return org.assertj.core.groups.Tuple.tuple(values);
	}

	/**
	 * A value written as JSON.
	 * @param name a name
	 * @param count a number
	 */
	public record Sample(String name, int count) {
	}

	/**
	 * A node under test: its context, coordinator and recorded events.
	 */
	private record Node(ConfigurableApplicationContext context) {

		Coordinator coordinator() {
			return this.context.getBean(Coordinator.class);
		}

		Recorder recorder() {
			return this.context.getBean(Recorder.class);
		}

	}

	/**
	 * The listeners every node of the contract tests has.
	 */
	@Configuration(proxyBeanMethods = false)
	public static class RecorderConfiguration {

		@Bean
		Recorder contractRecorder() {
			return new Recorder();
		}

	}

	/**
	 * Listener methods that record what they receive.
	 */
	public static class Recorder {

		final List<CoordinatorEvent> all = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> prefixA = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> deletesA = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> state = new CopyOnWriteArrayList<>();

		final List<CoordinatorSyncedEvent> synced = new CopyOnWriteArrayList<>();

		final List<ApplicationEvent> membership = new CopyOnWriteArrayList<>();

		@CoordinatorListener
		void onAll(CoordinatorEvent event) {
			this.all.add(event);
		}

		@CoordinatorListener(prefix = "/a/")
		void onA(CoordinatorEvent event) {
			this.prefixA.add(event);
		}

		@CoordinatorListener(prefix = "/a/", actions = CoordinatorAction.DELETE)
		void onADelete(CoordinatorEvent event) {
			this.deletesA.add(event);
		}

		@CoordinatorListener(prefix = "/state/", initialState = true)
		void onState(CoordinatorEvent event) {
			this.state.add(event);
		}

		@EventListener
		void onSynced(CoordinatorSyncedEvent event) {
			this.synced.add(event);
		}

		@EventListener({ MemberJoinedEvent.class, MemberLeftEvent.class })
		void onMembership(ApplicationEvent event) {
			this.membership.add(event);
		}

	}

}
