package dev.coordinator.autoconfigure.health;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The readiness probe waits for the initial state; liveness never looks at the coordinator.
 */
class CoordinatorReadinessTests {

	@RegisterExtension
	final NatsServerExtension server = new NatsServerExtension();

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class,
					CoordinatorHealthContributorAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
					HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
					HealthEndpointAutoConfiguration.class, AvailabilityHealthContributorAutoConfiguration.class,
					AvailabilityProbesAutoConfiguration.class))
			.withPropertyValues("coordinator.nats.servers=" + this.server.url(), "coordinator.namespace=ready",
					"coordinator.node-id=node-1", "coordinator.nats.reconnect-wait=100ms",
					"management.endpoint.health.probes.enabled=true");
	}

	@Test
	void notReadyUntilTheInitialStateIsDeliveredThenReadyEvenWhileNatsIsOut() {
		runner().run((context) -> context.getBean(Coordinator.class).put("/ready/a", new byte[] { 1 }));
		runner().withUserConfiguration(SlowInitialState.class).run((context) -> {
			// What SpringApplication publishes once the application runs; the runner does not.
			AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			SlowListener listener = context.getBean(SlowListener.class);
			assertThat(listener.replaying.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
			assertThat(health.healthForPath("liveness").getStatus()).isEqualTo(Status.UP);

			listener.release.countDown();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> health.healthForPath("readiness").getStatus().equals(Status.UP));

			this.server.process().kill();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> health.healthForPath("coordinator").getStatus().equals(Status.DOWN));
			assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
			assertThat(health.healthForPath("liveness").getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void joinsTheProbesReadinessGroupButNeverLiveness() {
		runner().run((context) -> {
			HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
			assertThat(groups.get("readiness").isMember("coordinatorReadiness")).isTrue();
			assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
			assertThat(groups.get("liveness").isMember("coordinatorReadiness")).isFalse();
			assertThat(groups.get("liveness").isMember("coordinator")).isFalse();
		});
	}

	@Test
	void keepsTheProbesAdditionalPaths() {
		runner().withPropertyValues("management.endpoint.health.probes.add-additional-paths=true").run((context) -> {
			HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
			assertThat(groups.get("readiness").isMember("coordinatorReadiness")).isTrue();
			assertThat(groups).isInstanceOf(AdditionalPathsMapper.class);
			assertThat(((AdditionalPathsMapper) groups).getAdditionalPaths(EndpointId.of("health"),
					WebServerNamespace.SERVER))
				.containsExactlyInAnyOrder("/livez", "/readyz");
		});
	}

	@Test
	void leavesAReadinessGroupTheApplicationConfiguredAlone() {
		runner().withPropertyValues("management.endpoint.health.group.readiness.include=readinessState")
			.run((context) -> {
				HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
				assertThat(groups.get("readiness").isMember("coordinatorReadiness")).isFalse();
			});
		runner().withPropertyValues("management.endpoint.health.group.readiness.include[0]=readinessState")
			.run((context) -> {
				HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
				assertThat(groups.get("readiness").isMember("coordinatorReadiness")).isFalse();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class SlowInitialState {

		@Bean
		SlowListener slowListener() {
			return new SlowListener();
		}

	}

	static class SlowListener {

		final CountDownLatch replaying = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@CoordinatorListener(prefix = "/ready/", initialState = true)
		void onReady(CoordinatorEvent event) throws InterruptedException {
			this.replaying.countDown();
			this.release.await(30, TimeUnit.SECONDS);
		}

	}

}
