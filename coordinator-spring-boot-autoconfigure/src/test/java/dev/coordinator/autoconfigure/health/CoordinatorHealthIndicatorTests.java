package dev.coordinator.autoconfigure.health;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import dev.coordinator.Coordinator;
import dev.coordinator.Registration;
import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The coordinator's health indicator, against a real nats-server.
 */
class CoordinatorHealthIndicatorTests {

	@RegisterExtension
	final NatsServerExtension server = new NatsServerExtension();

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class,
					CoordinatorHealthContributorAutoConfiguration.class))
			.withPropertyValues("coordinator.nats.servers=" + this.server.url(), "coordinator.namespace=health",
					"coordinator.node-id=node-1", "coordinator.nats.reconnect-wait=100ms");
	}

	@Test
	void upWhileConnectedReadingAndInSyncDownSayingWhichPartOtherwise() {
		runner().run((context) -> {
			HealthIndicator indicator = context.getBean("coordinatorHealthIndicator", HealthIndicator.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> indicator.health().getStatus().equals(Status.UP));
			Health up = indicator.health();
			assertThat(up.getDetails()).containsEntry("node", "node-1")
				.containsEntry("namespace", "health")
				.containsEntry("connection", "CONNECTED")
				.containsEntry("lag", 0L)
				.containsOnlyKeys("node", "namespace", "connection", "lastProcessedRevision", "lag", "maxLag");

			this.server.process().kill();
			await().atMost(Duration.ofSeconds(10)).until(() -> indicator.health().getStatus().equals(Status.DOWN));
			Health down = indicator.health();
			assertThat(down.getDetails()).containsEntry("part", "connection").containsKey("since");
			this.server.process().restart();
			await().atMost(Duration.ofSeconds(20)).until(() -> indicator.health().getStatus().equals(Status.UP));

			context.getBean(EventLogContainer.class).stop();
			assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
			assertThat(indicator.health().getDetails()).containsEntry("part", "reader");
		});
	}

	@Test
	void aNodeFurtherBehindThanTheMaxLagIsDown() {
		runner().withPropertyValues("coordinator.health.max-lag=2").run((context) -> {
			HealthIndicator indicator = context.getBean("coordinatorHealthIndicator", HealthIndicator.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> indicator.health().getStatus().equals(Status.UP));
			Coordinator coordinator = context.getBean(Coordinator.class);
			CountDownLatch release = new CountDownLatch(1);
			// A slow handler holds the reader on the first change while more are written.
			try (Registration slow = coordinator.watch("/lagging/", (event) -> await().forever().until(() -> release.getCount() == 0))) {
				for (int i = 0; i < 5; i++) {
					coordinator.put("/lagging/" + i, new byte[] { 1 });
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> indicator.health().getStatus().equals(Status.DOWN));
				assertThat(indicator.health().getDetails()).containsEntry("part", "lag").containsEntry("maxLag", 2L);
				release.countDown();
				await().atMost(Duration.ofSeconds(10)).until(() -> indicator.health().getStatus().equals(Status.UP));
			}
		});
	}

	@Test
	void noIndicatorWithoutSpringBootHealthOrWhenDisabled() {
		runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).doesNotHaveBean("coordinatorHealthIndicator"));
		runner().withPropertyValues("management.health.coordinator.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("coordinatorHealthIndicator"));
	}

}
