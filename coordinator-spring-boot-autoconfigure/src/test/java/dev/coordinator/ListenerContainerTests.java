package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullRequestOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ApplicationEventMulticaster;
import org.springframework.context.event.EventListener;
import org.springframework.context.event.SimpleApplicationEventMulticaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event reader as a listener container, on a real nats-server: nothing a user's code throws ends delivery,
 * a stalled consumer recovers within seconds, a restart after a stop that timed out never runs two readers,
 * and events are acknowledged only after their listeners returned, whatever the multicaster.
 */
class ListenerContainerTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private static Connection raw;

	private final List<TestNode> nodes = new ArrayList<>();

	private final String namespace = "container-" + namespaces.incrementAndGet();

	@BeforeAll
	static void connect() throws Exception {
		raw = server.connect();
	}

	@AfterEach
	void stopNodes() {
		Blocking.release.countDown();
		this.nodes.forEach(TestNode::close);
	}

	private TestNode node(Class<?>[] configurations, String... properties) {
		List<String> all = new ArrayList<>(List.of("coordinator.listener.backoff=10ms", "coordinator.listener.max-backoff=40ms"));
		all.addAll(List.of(properties));
		TestNode node = TestNode.startWith(configurations, server.url(), this.namespace, "node-a",
				all.toArray(String[]::new));
		this.nodes.add(node);
		return node;
	}

	@Test
	void aSyncedEventListenerThatThrowsDoesNotEndDelivery() {
		TestNode node = node(new Class<?>[] { ThrowingLifecycleListener.class });

		node.coordinator().put("/nodes/a", bytes("1"));

		await().atMost(Duration.ofSeconds(10)).until(() -> node.listeners().nodes.size() == 1);
		assertThat(node.container().isRunning()).isTrue();
		assertThat(node.container().statistics().unexpected()).isPositive();
	}

	@Test
	void aFailureListenerThatThrowsLosesNoDeliveryToOtherWatches() {
		TestNode node = node(new Class<?>[] { ThrowingFailureListener.class }, "coordinator.listener.attempts=1");
		List<Long> second = new CopyOnWriteArrayList<>();
		node.coordinator().watch("/w/", (event) -> {
			throw new IllegalStateException("first watch fails on " + event.getKey());
		});
		node.coordinator().watch("/w/", (event) -> second.add(event.getRevision()));

		long first = node.coordinator().put("/w/1", bytes("1"));
		long next = node.coordinator().put("/w/2", bytes("2"));
		await().atMost(Duration.ofSeconds(10)).until(() -> second.size() >= 2);
		long last = node.coordinator().put("/w/3", bytes("3"));

		await().atMost(Duration.ofSeconds(10)).until(() -> second.size() >= 3);
		await().during(Duration.ofMillis(500)).until(() -> second.size() == 3);
		assertThat(second).containsExactly(first, next, last);
		assertThat(node.container().statistics().deadLettered()).isEqualTo(3);
	}

	@Test
	void deliveriesLostOnTheirWayAreRecoveredWithinSeconds() throws Exception {
		TestNode node = node(new Class<?>[0]);
		node.coordinator().put("/nodes/before", bytes("0"));
		await().until(() -> node.listeners().nodes.size() == 1);
		node.container().stop();
		// Deliveries this node never receives (as to the inbox of a connection that died with them on their way):
		// the server would deliver them again only after the ack wait (30 s).
		String stream = "KV_" + this.namespace;
		String durable = this.namespace + "_node-a";
		JetStreamSubscription elsewhere = raw.jetStream().subscribe(null, PullSubscribeOptions.fastBind(stream, durable));
		elsewhere.pull(PullRequestOptions.builder(10).expiresIn(Duration.ofSeconds(30)).build());
		raw.flush(Duration.ofSeconds(2));
		long revision = node.coordinator().put("/nodes/lost", bytes("1"));
		JetStreamManagement management = raw.jetStreamManagement();
		await().until(() -> {
			ConsumerInfo info = management.getConsumerInfo(stream, durable);
			return info.getDelivered().getStreamSequence() == revision && info.getNumAckPending() > 0;
		});

		node.container().start();

		// Two idle checks 3 s apart find them, then the consumer is positioned again: far less than the ack wait.
		await().atMost(Duration.ofSeconds(15)).until(() -> node.listeners().nodes.size() == 2);
		elsewhere.unsubscribe();
		assertThat(node.listeners().nodes).extracting(CoordinatorEvent::getRevision).last().isEqualTo(revision);
	}

	@Test
	void aNodeIdleThroughAServerRestartReceivesWhatIsWrittenAfter() {
		TestNode node = node(new Class<?>[0]);
		TestNode writer = TestNode.start(server.url(), this.namespace, "node-b");
		this.nodes.add(writer);
		writer.coordinator().put("/nodes/before", bytes("0"));
		await().until(() -> node.listeners().nodes.size() == 1);

		server.process().kill();
		server.process().restart();
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
			.until(() -> writer.coordinator().put("/nodes/after", bytes("1")) > 0);

		await().atMost(Duration.ofSeconds(15)).until(() -> node.listeners().nodes.size() == 2);
	}

	@Test
	void startAfterAStopThatTimedOutNeverRunsTwoReaders() throws Exception {
		Blocking.reset();
		TestNode node = node(new Class<?>[] { Blocking.class }, "coordinator.consumer.shutdown-timeout=500ms");
		Blocking blocking = node.context().getBean(Blocking.class);
		node.coordinator().put("/block/x", bytes("x"));
		assertThat(Blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();

		node.container().stop();
		assertThat(node.container().isRunning()).isFalse();
		node.container().start();
		long first = node.coordinator().put("/other/1", bytes("1"));
		long second = node.coordinator().put("/other/2", bytes("2"));

		// One reader, in log order: nothing after the blocked event is delivered while it blocks.
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> blocking.others.isEmpty());
		Blocking.release.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> blocking.others.size() >= 2);
		await().during(Duration.ofMillis(500)).until(() -> blocking.others.size() == 2);
		assertThat(blocking.others).containsExactly(first, second);
		assertThat(blocking.maxConcurrent.get()).isEqualTo(1);
		assertThat(node.container().isRunning()).isTrue();
		String readerName = "coordinator-" + this.namespace + "-events";
		await().atMost(Duration.ofSeconds(10)).until(() -> readerThreads(readerName) == 1);
		await().during(Duration.ofSeconds(1)).until(() -> readerThreads(readerName) == 1);
	}

	@Test
	void anAsyncMulticasterDoesNotAcknowledgeBeforeListenersReturn() throws Exception {
		Blocking.reset();
		TestNode node = node(new Class<?>[] { Blocking.class, AsyncMulticaster.class });
		long revision = node.coordinator().put("/block/x", bytes("x"));
		assertThat(Blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
		JetStreamManagement management = raw.jetStreamManagement();
		String stream = "KV_" + this.namespace;
		String durable = this.namespace + "_node-a";

		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
			.until(() -> management.getConsumerInfo(stream, durable).getAckFloor().getStreamSequence() < revision);
		Blocking.release.countDown();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> management.getConsumerInfo(stream, durable).getAckFloor().getStreamSequence() >= revision);
		assertThat(node.context().getBean(Blocking.class).threads).singleElement()
			.satisfies((thread) -> assertThat(thread).startsWith("coordinator-"));
	}

	private static long readerThreads(String name) {
		return Thread.getAllStackTraces().keySet().stream().filter((thread) -> thread.getName().equals(name)).count();
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	@Configuration(proxyBeanMethods = false)
	static class ThrowingLifecycleListener {

		@EventListener
		void fail(CoordinatorSyncedEvent event) {
			throw new IllegalStateException("a user's lifecycle listener fails on " + event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ThrowingFailureListener {

		@EventListener
		void fail(CoordinatorListenerFailedEvent event) {
			throw new IllegalStateException("a user's failure listener fails on " + event.getEvent());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AsyncMulticaster {

		@Bean(destroyMethod = "")
		ApplicationEventMulticaster applicationEventMulticaster() {
			SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
			multicaster.setTaskExecutor(Executors.newSingleThreadExecutor());
			return multicaster;
		}

	}

	/**
	 * A listener that blocks on its first event until released, and one that records what follows it.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Blocking {

		static volatile CountDownLatch entered = new CountDownLatch(1);

		static volatile CountDownLatch release = new CountDownLatch(1);

		final List<String> threads = new CopyOnWriteArrayList<>();

		final List<Long> others = new CopyOnWriteArrayList<>();

		final AtomicInteger concurrent = new AtomicInteger();

		final AtomicInteger maxConcurrent = new AtomicInteger();

		static void reset() {
			entered = new CountDownLatch(1);
			release = new CountDownLatch(1);
		}

		@CoordinatorListener(prefix = "/block/")
		void block(CoordinatorEvent event) throws InterruptedException {
			enter();
			try {
				this.threads.add(Thread.currentThread().getName());
				entered.countDown();
				release.await(30, TimeUnit.SECONDS);
			}
			finally {
				this.concurrent.decrementAndGet();
			}
		}

		@CoordinatorListener(prefix = "/other/")
		void other(CoordinatorEvent event) {
			enter();
			this.others.add(event.getRevision());
			this.concurrent.decrementAndGet();
		}

		private void enter() {
			this.maxConcurrent.accumulateAndGet(this.concurrent.incrementAndGet(), Math::max);
		}

	}

}
