package dev.coordinator.autoconfigure.observation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorConflictException;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.observation.CoordinatorWriteContext;
import dev.coordinator.observation.CoordinatorWriteObservationConvention;
import dev.coordinator.observation.DefaultCoordinatorWriteObservationConvention;
import dev.coordinator.test.NatsServerExtension;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The coordinator's observations, with and without Micrometer, against a real nats-server.
 */
class CoordinatorObservationAutoConfigurationTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private ApplicationContextRunner runner(String namespace) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class,
					CoordinatorObservationAutoConfiguration.class))
			.withPropertyValues("coordinator.nats.servers=" + server.url(), "coordinator.namespace=" + namespace,
					"coordinator.node-id=node-1");
	}

	@Test
	void writeAndListenerTimersComeFromTheObservations() {
		runner("timers").withUserConfiguration(MeteredObservations.class, ConfigListener.class).run((context) -> {
			assertThat(context).hasSingleBean(CoordinatorObservationPostProcessor.class);
			Coordinator coordinator = context.getBean(Coordinator.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			long revision = coordinator.put("/config/a", new byte[] { 1 });
			assertThatExceptionOfType(CoordinatorConflictException.class)
				.isThrownBy(() -> coordinator.update("/config/a", new byte[] { 2 }, revision - 1));
			assertThat(coordinator.delete("/config/missing")).isFalse();
			coordinator.putAsync("/config/b", new byte[] { 3 }).join();

			assertThat(writeTimer(meters, "put", "success").count()).isEqualTo(2);
			assertThat(writeTimer(meters, "update", "conflict").count()).isOne();
			assertThat(writeTimer(meters, "delete", "absent").count()).isOne();
			assertThat(writeTimer(meters, "put", "success").totalTime(TimeUnit.NANOSECONDS)).isPositive();
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(meters.get("coordinator.listener")
					.tags("listener", "config-listener", "replay", "false", "error", "none")
					.timer()
					.count()).isEqualTo(2));
		});
	}

	@Test
	void aFailingListenerCallIsTimedWithItsError() {
		runner("failing").withUserConfiguration(MeteredObservations.class, FailingListener.class)
			.withPropertyValues("coordinator.listener.attempts=2", "coordinator.listener.backoff=10ms",
					"coordinator.dead-letters.enabled=false")
			.run((context) -> {
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				context.getBean(Coordinator.class).put("/fail/a", new byte[] { 1 });
				// Each attempt is a call of its own.
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(meters.get("coordinator.listener")
						.tags("listener", "failing", "error", "IllegalStateException")
						.timer()
						.count()).isEqualTo(2));
			});
	}

	@Test
	void heartbeatsAndLockRenewalsAreNotObserved() {
		runner("housekeeping").withUserConfiguration(MeteredObservations.class)
			.withPropertyValues("coordinator.membership.enabled=true", "coordinator.membership.heartbeat=100ms",
					"coordinator.membership.lease-ttl=1s")
			.run((context) -> {
				Coordinator coordinator = context.getBean(Coordinator.class);
				CoordinatorLock lock = context.getBean(CoordinatorLocks.class).obtain("renewed");
				assertThat(lock.tryLock(Duration.ofSeconds(5), Duration.ofMillis(300))).isTrue();
				long acquired = lock.fencingToken();
				// Renewals every 100 ms move the lock's revision on; heartbeats the membership record's.
				await().atMost(Duration.ofSeconds(10))
					.until(() -> coordinator.get(lock.getKey()).orElseThrow().revision() > acquired + 5);
				long joined = coordinator.get("/nodes/node-1").orElseThrow().revision();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> coordinator.get("/nodes/node-1").orElseThrow().revision() > joined + 5);
				lock.unlock();

				List<CoordinatorWriteContext> writes = context.getBean(RecordingHandler.class).writes();
				assertThat(writes).extracting(CoordinatorWriteContext::getOperation, CoordinatorWriteContext::getKey)
					.contains(tuple("create", "/nodes/node-1"),
							tuple("create", lock.getKey()),
							tuple("delete", lock.getKey()))
					.doesNotContain(tuple("update", "/nodes/node-1"),
							tuple("update", lock.getKey()));
			});
	}

	@Test
	void aConventionBeanReplacesTheDefault() {
		runner("convention").withUserConfiguration(MeteredObservations.class, TeamConvention.class)
			.run((context) -> {
				context.getBean(Coordinator.class).put("/config/a", new byte[] { 1 });
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("coordinator.write").tags("operation", "put", "team", "payments").timer().count())
					.isOne();
			});
	}

	@Test
	void nothingIsObservedWhenTurnedOff() {
		runner("turned-off").withUserConfiguration(MeteredObservations.class)
			.withPropertyValues("coordinator.observation-enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CoordinatorObservationPostProcessor.class);
				context.getBean(Coordinator.class).put("/config/a", new byte[] { 1 });
				assertThat(context.getBean(RecordingHandler.class).stopped).isEmpty();
				assertThat(context.getBean(MeterRegistry.class).find("coordinator.write").timer()).isNull();
			});
	}

	@Test
	void backsOffWithoutAnObservationRegistry() {
		runner("no-registry").run((context) -> {
			assertThat(context).doesNotHaveBean(CoordinatorObservationPostProcessor.class);
			assertThat(context.getBean(Coordinator.class).put("/config/a", new byte[] { 1 })).isPositive();
		});
	}

	@Test
	void backsOffWithoutMicrometerObservation() {
		runner("no-micrometer").withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
			.withUserConfiguration(MeteredObservations.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(CoordinatorObservationPostProcessor.class);
				assertThat(context.getBean(Coordinator.class).put("/config/a", new byte[] { 1 })).isPositive();
			});
	}

	@Test
	void observesWithBootsRegistryWithoutMicrometerTracing() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
					MicrometerTracingAutoConfiguration.class, BraveAutoConfiguration.class,
					CoordinatorAutoConfiguration.class, CoordinatorObservationAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.micrometer.tracing", "brave"))
			.withPropertyValues("coordinator.nats.servers=" + server.url(), "coordinator.namespace=no-tracing",
					"coordinator.node-id=node-1")
			.withUserConfiguration(Recording.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(ObservationRegistry.class)
					.hasSingleBean(CoordinatorObservationPostProcessor.class)
					.doesNotHaveBean("braveTracerBridge");
				context.getBean(Coordinator.class).put("/config/a", new byte[] { 1 });
				assertThat(context.getBean(RecordingHandler.class).writes())
					.extracting(CoordinatorWriteContext::getOperation, CoordinatorWriteContext::getOutcome)
					.containsExactly(tuple("put", "success"));
			});
	}

	private static Timer writeTimer(MeterRegistry meters, String operation, String outcome) {
		return meters.get("coordinator.write").tags("operation", operation, "outcome", outcome).timer();
	}

	@Configuration(proxyBeanMethods = false)
	static class Recording {

		@Bean
		RecordingHandler recordingHandler() {
			return new RecordingHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MeteredObservations {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		RecordingHandler recordingHandler() {
			return new RecordingHandler();
		}

		@Bean
		ObservationRegistry observationRegistry(SimpleMeterRegistry meterRegistry, RecordingHandler recording) {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig()
				.observationHandler(new DefaultMeterObservationHandler(meterRegistry))
				.observationHandler(recording);
			return registry;
		}

	}

	/**
	 * Records the contexts of the observations that stopped.
	 */
	static class RecordingHandler implements ObservationHandler<Observation.Context> {

		final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

		@Override
		public void onStop(Observation.Context context) {
			this.stopped.add(context);
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return true;
		}

		List<CoordinatorWriteContext> writes() {
			return this.stopped.stream()
				.filter(CoordinatorWriteContext.class::isInstance)
				.map(CoordinatorWriteContext.class::cast)
				.toList();
		}

	}

	static class ConfigListener {

		@CoordinatorListener(prefix = "/config/", id = "config-listener")
		void onConfig(CoordinatorEvent event) {
		}

	}

	static class FailingListener {

		@CoordinatorListener(prefix = "/fail/", id = "failing")
		void onFail(CoordinatorEvent event) {
			throw new IllegalStateException("failing on purpose: " + event.getKey());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TeamConvention {

		@Bean
		CoordinatorWriteObservationConvention teamConvention() {
			return new CoordinatorWriteObservationConvention() {

				@Override
				public KeyValues getLowCardinalityKeyValues(CoordinatorWriteContext context) {
					return DefaultCoordinatorWriteObservationConvention.INSTANCE.getLowCardinalityKeyValues(context)
						.and("team", "payments");
				}

			};
		}

	}

}
