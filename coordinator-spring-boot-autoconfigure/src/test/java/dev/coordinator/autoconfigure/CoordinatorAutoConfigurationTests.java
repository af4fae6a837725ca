package dev.coordinator.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.StubCoordinator;
import dev.coordinator.autoconfigure.health.CoordinatorHealthContributorAutoConfiguration;
import dev.coordinator.autoconfigure.health.CoordinatorHealthIndicator;
import dev.coordinator.autoconfigure.health.CoordinatorReadinessIndicator;
import dev.coordinator.autoconfigure.metrics.CoordinatorMetrics;
import dev.coordinator.autoconfigure.metrics.CoordinatorMetricsAutoConfiguration;
import dev.coordinator.listener.CoordinatorErrorHandler;
import dev.coordinator.listener.CoordinatorListenerFactory;
import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLockRegistry;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.memory.InMemoryCoordinator;
import dev.coordinator.memory.InMemoryStore;
import dev.coordinator.nats.ConnectionStateEvents;
import dev.coordinator.nats.DeadLetterRecoverer;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import dev.coordinator.nats.NatsCoordinatorSettings;
import dev.coordinator.test.NatsServerExtension;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.api.StorageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CoordinatorAutoConfigurationTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class));

	private ApplicationContextRunner connected() {
		return this.contextRunner.withPropertyValues("coordinator.nats.servers=" + server.url());
	}

	@Test
	void createsConnectionCoordinatorAndListenerFactory() {
		connected().withPropertyValues("coordinator.node-id=n1").run((context) -> {
			assertThat(context).hasSingleBean(Connection.class)
				.hasSingleBean(NatsCoordinator.class)
				.hasSingleBean(CoordinatorListenerFactory.class)
				.hasSingleBean(NatsCoordinatorSettings.class)
				.hasSingleBean(CoordinatorConnectionDetails.class);
			Coordinator coordinator = context.getBean(Coordinator.class);
			assertThat(coordinator.nodeId()).isEqualTo("n1");
			assertThat(context.getBean(EventLogContainer.class).isRunning()).isTrue();
			assertThat(context.getBean(Connection.class).getOptions().getConnectionName()).isEqualTo("coordinator-n1");
		});
	}

	@Test
	void springIntegrationLockRegistryOnlyWhenSpringIntegrationIsPresent() {
		connected().run((context) -> assertThat(context).hasSingleBean(CoordinatorLocks.class)
			.hasSingleBean(CoordinatorLockRegistry.class));
		connected().withClassLoader(new FilteredClassLoader(LockRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(CoordinatorLocks.class)
				.doesNotHaveBean(CoordinatorLockRegistry.class));
	}

	@Test
	void membershipOnlyWhenEnabled() {
		connected().run((context) -> assertThat(context).doesNotHaveBean(ClusterMembership.class));
		connected().withPropertyValues("coordinator.membership.enabled=true", "coordinator.membership.heartbeat=6s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("Property coordinator.membership.heartbeat with value 'PT6S' is invalid")
				.hasMessageContaining("at most half the lease ttl"));
	}

	@Test
	void disabledByPropertyKeepingTheListenerWiring() {
		connected().withPropertyValues("coordinator.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(Coordinator.class)
				.doesNotHaveBean(Connection.class)
				.doesNotHaveBean(CoordinatorLocks.class)
				.hasSingleBean(CoordinatorListenerFactory.class));
	}

	@Test
	void backsOffWithoutTheNatsClient() {
		connected().withClassLoader(new FilteredClassLoader(Connection.class))
			.run((context) -> assertThat(context).doesNotHaveBean(Coordinator.class));
	}

	@Test
	void everyNatsBeanBacksOffForTheApplicationsCoordinatorWithoutConnecting() {
		// Nothing listens there: a connection attempt would fail the context.
		this.contextRunner.withPropertyValues("coordinator.nats.servers=nats://127.0.0.1:" + NatsServerProcess.freePort(),
				"coordinator.nats.connection-timeout=200ms")
			.withUserConfiguration(OwnCoordinatorConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(Coordinator.class)
					.doesNotHaveBean(Connection.class)
					.doesNotHaveBean(NatsCoordinator.class)
					.doesNotHaveBean(EventLogContainer.class)
					.doesNotHaveBean(DeadLetterRecoverer.class)
					.doesNotHaveBean(ConnectionStateEvents.class)
					.doesNotHaveBean(NatsCoordinatorSettings.class)
					.doesNotHaveBean(CoordinatorConnectionDetails.class)
					.doesNotHaveBean(CoordinatorErrorHandler.class)
					.hasSingleBean(CoordinatorListenerFactory.class)
					.hasSingleBean(CoordinatorLocks.class);
				assertThat(context.getBean(Coordinator.class).nodeId()).isEqualTo("own");
			});
	}

	@Test
	void inMemoryBackendNeedsNoServer() {
		this.contextRunner.withPropertyValues("coordinator.backend=in-memory", "coordinator.node-id=solo",
				"coordinator.nats.servers=nats://127.0.0.1:" + NatsServerProcess.freePort(),
				"coordinator.nats.connection-timeout=200ms", "coordinator.membership.enabled=true",
				"coordinator.membership.heartbeat=100ms", "coordinator.membership.lease-ttl=1s")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(InMemoryCoordinator.class)
					.hasSingleBean(InMemoryStore.class)
					.hasSingleBean(CoordinatorErrorHandler.class)
					.hasSingleBean(CoordinatorLocks.class)
					.hasSingleBean(CoordinatorLockRegistry.class)
					.doesNotHaveBean(Connection.class)
					.doesNotHaveBean(NatsCoordinator.class)
					.doesNotHaveBean(EventLogContainer.class)
					.doesNotHaveBean(NatsCoordinatorSettings.class);
				Coordinator coordinator = context.getBean(Coordinator.class);
				assertThat(coordinator.nodeId()).isEqualTo("solo");
				ClusterMembership membership = context.getBean(ClusterMembership.class);
				await().until(() -> membership.isMember("solo"));
				assertThat(coordinator.keys("/nodes/")).containsExactly("/nodes/solo");
				CoordinatorLock lock = context.getBean(CoordinatorLocks.class).obtain("job");
				assertThat(lock.tryLock(Duration.ZERO, Duration.ofSeconds(5))).isTrue();
				lock.unlock();
			});
	}

	@Test
	void backendValueBindsRelaxedlyAndUnknownOnesFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("coordinator.backend=IN_MEMORY")
			.run((context) -> assertThat(context).hasSingleBean(InMemoryCoordinator.class)
				.doesNotHaveBean(Connection.class));
		this.contextRunner.withPropertyValues("coordinator.backend=redis")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("coordinator.backend")
				.hasStackTraceContaining("redis"));
	}

	@Test
	void healthAndMetricsBackOffWithoutANatsBackend() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class,
					CoordinatorHealthContributorAutoConfiguration.class, CoordinatorMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("coordinator.backend=in-memory")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(InMemoryCoordinator.class)
				.doesNotHaveBean(CoordinatorHealthIndicator.class)
				.doesNotHaveBean(CoordinatorReadinessIndicator.class)
				.doesNotHaveBean(CoordinatorMetrics.class));
	}

	@Test
	void usesTheApplicationsConnectionAndLeavesItOpen() throws Exception {
		try (Connection own = Nats.connect(server.url())) {
			this.contextRunner.withBean(Connection.class, () -> own, (definition) -> definition.setDestroyMethodName(""))
				.withPropertyValues("coordinator.nats.servers=nats://127.0.0.1:1")
				.run((context) -> {
					assertThat(context).hasSingleBean(Connection.class).hasSingleBean(NatsCoordinator.class);
					assertThat(context.getBean(Connection.class)).isSameAs(own);
				});
			assertThat(own.getStatus()).isEqualTo(Connection.Status.CONNECTED);
		}
	}

	@Test
	void connectionDetailsBeanTakesPrecedenceOverProperties() {
		this.contextRunner.withPropertyValues("coordinator.nats.servers=nats://127.0.0.1:1")
			.withBean(CoordinatorConnectionDetails.class, () -> () -> List.of(server.url()))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(CoordinatorConnectionDetails.class);
				assertThat(context.getBean(Connection.class).getConnectedUrl()).isEqualTo(server.url());
			});
	}

	@Test
	void propertiesAreBoundToTheSettings() {
		connected().withPropertyValues("coordinator.node-id=node-7", "coordinator.namespace=orders",
				"coordinator.bucket.history=5", "coordinator.bucket.storage=memory", "coordinator.bucket.max-value-size=64KB",
				"coordinator.consumer.ack-wait=45s", "coordinator.consumer.max-ack-pending=500",
				"coordinator.consumer.inactive-threshold=10m", "coordinator.consumer.batch-size=50",
				"coordinator.consumer.shutdown-timeout=3s", "coordinator.write.timeout=1s", "coordinator.write.attempts=5",
				"coordinator.nats.connection-name=orders-7", "coordinator.nats.ping-interval=7s",
				"coordinator.nats.max-reconnects=12", "coordinator.nats.reconnect-wait=250ms")
			.run((context) -> {
				NatsCoordinatorSettings settings = context.getBean(NatsCoordinatorSettings.class);
				assertThat(settings.nodeId()).isEqualTo("node-7");
				assertThat(settings.bucketName()).isEqualTo("orders");
				assertThat(settings.durableName()).isEqualTo("orders_node-7");
				assertThat(settings.bucket()).isEqualTo(new NatsCoordinatorSettings.Bucket(5, StorageType.Memory, 1, 65536));
				assertThat(settings.consumer()).isEqualTo(new NatsCoordinatorSettings.Consumer(Duration.ofSeconds(45), 500,
						Duration.ofMinutes(10), 50, Duration.ofSeconds(3)));
				assertThat(settings.write()).isEqualTo(new NatsCoordinatorSettings.Write(Duration.ofSeconds(1), 5));
				Options options = context.getBean(Connection.class).getOptions();
				assertThat(options.getErrorListener()).isInstanceOf(NatsErrorLogger.class);
				assertThat(options.getConnectionName()).isEqualTo("orders-7");
				assertThat(options.getPingInterval()).isEqualTo(Duration.ofSeconds(7));
				assertThat(options.getMaxReconnect()).isEqualTo(12);
				assertThat(options.getReconnectWait()).isEqualTo(Duration.ofMillis(250));
			});
	}

	@Test
	void defaultsMatchTheSettingsDefaultsAndTheClientsWhereTheyShould() {
		CoordinatorProperties properties = new CoordinatorProperties();
		properties.setNodeId("n");
		assertThat(CoordinatorAutoConfiguration.settings(properties)).isEqualTo(NatsCoordinatorSettings.defaults("n",
				"coordinator"));
		Options client = new Options.Builder().build();
		assertThat(properties.getNats().getConnectionTimeout()).isEqualTo(client.getConnectionTimeout());
		assertThat(properties.getNats().getReconnectWait()).isEqualTo(client.getReconnectWait());
		assertThat(properties.getNats().getInboxPrefix() + ".").isEqualTo(client.getInboxPrefix());
		// Deliberately not the client's: a coordinator node reconnects for as long as it runs (client: 60
		// attempts) and notices a half-dead connection within seconds (client: pings every 2 minutes).
		assertThat(properties.getNats().getMaxReconnects()).isEqualTo(-1).isNotEqualTo(client.getMaxReconnect());
		assertThat(properties.getNats().getPingInterval()).isLessThan(client.getPingInterval());
	}

	@Test
	void inboxPrefixIsTheConnections() {
		connected().withPropertyValues("coordinator.node-id=n", "coordinator.nats.inbox-prefix=_INBOX.orders.n")
			.run((context) -> assertThat(context.getBean(Connection.class).getOptions().getInboxPrefix())
				.isEqualTo("_INBOX.orders.n."));
	}

	@Test
	void invalidInboxPrefixFailsNamingThePropertyAndValue() {
		connected().withPropertyValues("coordinator.node-id=n", "coordinator.nats.inbox-prefix=_INBOX.*")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("coordinator.nats.inbox-prefix")
				.hasMessageContaining("_INBOX.*"));
	}

	@Test
	void generatesANodeIdWhenNoneIsSet() {
		connected().run((context) -> assertThat(context.getBean(Coordinator.class).nodeId()).matches("node-[0-9a-f]{8}"));
	}

	@Test
	void invalidNodeIdFailsNamingTheProperty() {
		connected().withPropertyValues("coordinator.node-id=node.1").run((context) -> assertThat(context).getFailure()
			.rootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining("coordinator.node-id")
			.hasMessageContaining("node.1"));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			coordinator.bucket.history=65                  | coordinator.bucket.history            | 65    | must be 1 to 64
			coordinator.bucket.replicas=7                  | coordinator.bucket.replicas           | 7     | must be 1 to 5
			coordinator.consumer.batch-size=2000           | coordinator.consumer.batch-size       | 2000  | max ack pending (1000)
			coordinator.consumer.ack-wait=0s               | coordinator.consumer.ack-wait         | PT0S  | must be positive
			coordinator.write.attempts=0                   | coordinator.write.attempts            | 0     | at least 1
			coordinator.dead-letters.max-messages=0        | coordinator.dead-letters.max-messages | 0     | must be positive
			coordinator.listener.backoff=5s                | coordinator.listener.backoff          | PT5S  | at most max backoff
			coordinator.locks.prefix=locks                 | coordinator.locks.prefix              | locks | start and end with '/'
			""")
	void invalidSettingsFailNamingThePropertyAndItsValue(String setting, String property, String value, String reason) {
		connected().withPropertyValues("coordinator.node-id=n", setting)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("Property " + property + " with value '" + value + "' is invalid")
				.hasMessageContaining(reason)
				.hasMessageNotContaining("CoordinatorProperties$"));
	}

	@Test
	void unreachableServerFailsWithAnExplanation() {
		int port = NatsServerProcess.freePort();
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=nats://user:secret@127.0.0.1:" + port,
					"coordinator.nats.connection-timeout=500ms")
			.run((context) -> {
				assertThat(context).hasFailed();
				NatsConnectionException failure = findCause(context.getStartupFailure(), NatsConnectionException.class);
				assertThat(failure.getServers()).containsExactly("nats://***@127.0.0.1:" + port);
				for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
					assertThat(cause.getMessage()).doesNotContain("secret");
				}
				var analysis = new CoordinatorFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("could not connect to NATS").doesNotContain("secret");
				assertThat(analysis.getAction()).contains("coordinator.nats.servers").contains("nats-server -js");
			});
	}

	private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		throw new AssertionError("No " + type.getSimpleName() + " in " + failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnCoordinatorConfiguration {

		@Bean
		Coordinator ownCoordinator() {
			return new StubCoordinator("own");
		}

	}

}
