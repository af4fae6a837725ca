package dev.coordinator.autoconfigure.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.Coordinator;
import dev.coordinator.Registration;
import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.test.NatsServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The coordinator's Micrometer metrics, against a real nats-server.
 */
class CoordinatorMetricsTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private ApplicationContextRunner runner(String namespace) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class,
					CoordinatorMetricsAutoConfiguration.class))
			.withPropertyValues("coordinator.nats.servers=" + server.url(), "coordinator.namespace=" + namespace,
					"coordinator.node-id=node-1");
	}

	@Test
	void countsWhatTheReaderDidTaggedWithNamespaceAndNode() {
		runner("metrics").withPropertyValues("coordinator.membership.enabled=true",
				"coordinator.membership.heartbeat=500ms", "coordinator.membership.lease-ttl=2s").run((context) -> {
			MeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(CoordinatorMetrics.class).bindTo(registry);
			Coordinator coordinator = context.getBean(Coordinator.class);
			coordinator.put("/config/a", new byte[] { 1 });
			coordinator.put("/config/b", new byte[] { 1 }, false);

			await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("coordinator.events.silent")
				.tags("namespace", "metrics", "node", "node-1")
				.functionCounter()
				.count() >= 1);
			// The membership record's join is a change too.
			assertThat(registry.get("coordinator.events.delivered").functionCounter().count()).isGreaterThanOrEqualTo(2);
			assertThat(registry.get("coordinator.events.malformed").functionCounter().count()).isZero();
			assertThat(registry.get("coordinator.events.rejected").functionCounter().count()).isZero();
			assertThat(registry.get("coordinator.consumer.lag").gauge().value()).isZero();
			assertThat(registry.get("coordinator.members").gauge().value()).isEqualTo(1);
		});
	}

	@Test
	void countsReconnectsAndTheLocksThisNodeHolds() {
		runner("reconnects").withPropertyValues("coordinator.nats.reconnect-wait=100ms").run((context) -> {
			MeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(CoordinatorMetrics.class).bindTo(registry);
			CoordinatorLock lock = context.getBean(CoordinatorLocks.class).obtain("report");
			assertThat(registry.get("coordinator.locks.held").gauge().value()).isZero();
			assertThat(lock.tryLock(Duration.ofSeconds(5), Duration.ofSeconds(30))).isTrue();
			assertThat(registry.get("coordinator.locks.held").gauge().value()).isEqualTo(1);
			lock.unlock();
			assertThat(registry.get("coordinator.locks.held").gauge().value()).isZero();

			assertThat(registry.get("coordinator.reconnects").functionCounter().count()).isZero();
			server.process().kill();
			server.process().restart();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> registry.get("coordinator.reconnects").functionCounter().count() == 1);
		});
	}

	@Test
	void countsFailingListenerCallsAndTheirRetries() {
		runner("failures").withPropertyValues("coordinator.listener.attempts=3", "coordinator.listener.backoff=10ms")
			.run((context) -> {
				MeterRegistry registry = new SimpleMeterRegistry();
				context.getBean(CoordinatorMetrics.class).bindTo(registry);
				Coordinator coordinator = context.getBean(Coordinator.class);
				AtomicInteger calls = new AtomicInteger();
				try (Registration flaky = coordinator.watch("/flaky/", (event) -> {
					if (calls.incrementAndGet() < 3) {
						throw new IllegalStateException("not yet");
					}
				})) {
					coordinator.put("/flaky/a", new byte[] { 1 });
					await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 3);
					await().atMost(Duration.ofSeconds(5))
						.until(() -> registry.get("coordinator.listener.retries").functionCounter().count() == 2);
					assertThat(registry.get("coordinator.listener.failures").functionCounter().count()).isEqualTo(1);
					assertThat(registry.get("coordinator.dead.letters").functionCounter().count()).isZero();
				}
			});
	}

	@Test
	void noMetricsWithoutMicrometer() {
		runner("no-metrics").withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).doesNotHaveBean(CoordinatorMetrics.class));
	}

}
