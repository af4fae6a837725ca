package dev.coordinator.autoconfigure.endpoint;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.Registration;
import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.autoconfigure.endpoint.CoordinatorEndpoint.CoordinatorDescriptor;
import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import dev.coordinator.test.NatsServerExtension;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.json.BasicJsonTester;
import org.springframework.boot.test.json.JsonContent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The coordinator's actuator endpoint: when it exists, and what it says about a node against a real
 * nats-server, running or stopped.
 */
class CoordinatorEndpointTests {

	private static final String PASSWORD = "s3cret-Pa55word";

	@RegisterExtension
	final NatsServerExtension server = new NatsServerExtension();

	/** Serializes as the actuator's own mapper does: dates as ISO-8601 text, no null fields. */
	private final ObjectMapper json = JsonMapper.builder()
		.findAndAddModules()
		.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
		.defaultPropertyInclusion(
				JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
		.build();

	private ApplicationContextRunner runner(String serverUrl, String namespace) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class,
					CoordinatorEndpointAutoConfiguration.class))
			.withPropertyValues("coordinator.nats.servers=" + serverUrl, "coordinator.namespace=" + namespace,
					"coordinator.node-id=node-1", "coordinator.nats.reconnect-wait=100ms",
					"management.endpoints.web.exposure.include=health,coordinator");
	}

	@Test
	void endpointWithActuatorWhenExposed() {
		runner(this.server.url(), "exposed")
			.run((context) -> assertThat(context).hasSingleBean(CoordinatorEndpoint.class));
	}

	@Test
	void noEndpointWhenNotExposedOrNotAccessible() {
		runner(this.server.url(), "hidden").withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).hasSingleBean(EventLogContainer.class)
				.doesNotHaveBean(CoordinatorEndpoint.class));
		runner(this.server.url(), "no-access").withPropertyValues("management.endpoint.coordinator.access=NONE")
			.run((context) -> assertThat(context).hasSingleBean(EventLogContainer.class)
				.doesNotHaveBean(CoordinatorEndpoint.class));
	}

	@Test
	void noEndpointWithoutActuatorTheCoordinatorWorkingAsUsual() {
		runner(this.server.url(), "no-actuator").withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).hasSingleBean(EventLogContainer.class)
				.doesNotHaveBean(CoordinatorEndpoint.class));
		runner(this.server.url(), "no-actuator-autoconfigure")
			.withClassLoader(new FilteredClassLoader(ConditionalOnAvailableEndpoint.class))
			.run((context) -> assertThat(context).hasSingleBean(EventLogContainer.class)
				.doesNotHaveBean(CoordinatorEndpoint.class));
	}

	@Test
	void noEndpointWhenTheCoordinatorIsDisabled() {
		runner(this.server.url(), "disabled").withPropertyValues("coordinator.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(EventLogContainer.class)
				.doesNotHaveBean(CoordinatorEndpoint.class));
	}

	@Test
	void describesListenersWatchesConsumerDeadLettersMembersAndLockHolders() {
		runner(this.server.url(), "endpoint").withUserConfiguration(ListenerConfiguration.class)
			.withPropertyValues("coordinator.membership.enabled=true", "coordinator.membership.metadata.zone=a",
					"coordinator.membership.heartbeat=5s", "coordinator.membership.lease-ttl=20s",
					"coordinator.listener.attempts=1")
			.run((context) -> {
				CoordinatorEndpoint endpoint = context.getBean(CoordinatorEndpoint.class);
				Coordinator coordinator = context.getBean(Coordinator.class);
				EventLogContainer container = context.getBean(EventLogContainer.class);
				await().atMost(Duration.ofSeconds(10)).until(container::isSynced);
				try (Registration watch = coordinator.watch("/jobs/", (event) -> {
				})) {
					coordinator.put("/config/a", "1".getBytes(StandardCharsets.UTF_8));
					coordinator.put("/poison/x", "2".getBytes(StandardCharsets.UTF_8));
					long last = context.getBean(NatsCoordinator.class).lastRevisionOfLog();
					await().atMost(Duration.ofSeconds(10)).until(() -> caughtUp(endpoint.coordinator(), last));
					CoordinatorDescriptor described = endpoint.coordinator();

					assertThat(described.nodeId()).isEqualTo("node-1");
					assertThat(described.namespace()).isEqualTo("endpoint");
					assertThat(described.connection().status()).isEqualTo("CONNECTED");
					assertThat(described.connection().servers()).containsExactly(this.server.url());
					assertThat(described.bucket().name()).isEqualTo("endpoint");
					assertThat(described.bucket().error()).isNull();
					assertThat(described.bucket().history()).isEqualTo(1L);
					assertThat(described.bucket().replicas()).isEqualTo(1);
					// The two keys, the membership record and this node's record of its progress.
					assertThat(described.bucket().values()).isGreaterThanOrEqualTo(3L);
					assertThat(described.stream().lastSequence()).isGreaterThanOrEqualTo(last);
					assertThat(described.consumer().name()).isEqualTo("endpoint_node-1");
					assertThat(described.consumer().ackFloorRevision())
						.isEqualTo(described.consumer().deliveredRevision())
						.isEqualTo(described.reader().lastProcessedRevision())
						.isGreaterThanOrEqualTo(last);
					assertThat(described.consumer().pending()).isZero();
					assertThat(described.consumer().ackPending()).isZero();
					assertThat(described.reader().running()).isTrue();
					assertThat(described.reader().synced()).isTrue();

					assertThat(described.watches()).extracting("prefix").contains("/jobs/", "/nodes/");
					assertThat(described.deadLetters().recent()).singleElement().satisfies((deadLetter) -> {
						assertThat(deadLetter.key()).isEqualTo("/poison/x");
						assertThat(deadLetter.listener()).contains("onPoison");
						assertThat(deadLetter.reason()).isEqualTo("java.lang.IllegalStateException: cannot handle /poison/x");
					});
					assertThat(described.deadLetters().stored()).isEqualTo(1L);
					assertThat(described.deadLetters().listenerFailures()).isEqualTo(1L);
					assertThat(described.membership().enabled()).isTrue();
					assertThat(described.membership().members()).singleElement().satisfies((member) -> {
						assertThat(member.nodeId()).isEqualTo("node-1");
						assertThat(member.metadata()).containsEntry("zone", "a");
					});
				}

				// A short TTL, so that the record is renewed (and its revision moves on) before it is described.
				CoordinatorLock lock = context.getBean(CoordinatorLocks.class).obtain("nightly-report");
				assertThat(lock.tryLock(Duration.ofSeconds(5), Duration.ofMillis(900))).isTrue();
				long token = lock.fencingToken();
				await().atMost(Duration.ofSeconds(5))
					.until(() -> coordinator.get("/locks/nightly-report").orElseThrow().revision() > token);
				CoordinatorDescriptor described = endpoint.coordinator();
				assertThat(described.locks().prefix()).isEqualTo("/locks/");
				assertThat(described.locks().error()).isNull();
				assertThat(described.locks().holders()).singleElement().satisfies((holder) -> {
					assertThat(holder.name()).isEqualTo("nightly-report");
					assertThat(holder.holder()).isEqualTo("node-1");
					assertThat(holder.fencingToken()).isEqualTo(token);
					assertThat(holder.ttl()).isEqualTo("PT0.9S");
					assertThat(holder.expiresAt()).isEqualTo(holder.renewedAt().plusMillis(900));
				});

				JsonContent<Object> content = new BasicJsonTester(getClass())
					.from(this.json.writeValueAsString(described));
				assertThat(content).extractingJsonPathArrayValue("$.listeners[*].bean")
					.containsExactly("endpointListeners", "endpointListeners");
				assertThat(content).extractingJsonPathArrayValue("$.listeners[*].method")
					.containsExactlyInAnyOrder(EndpointListeners.class.getName() + ".onConfig",
							EndpointListeners.class.getName() + ".onPoison");
				assertThat(content).extractingJsonPathArrayValue("$.listeners[?(@.prefix == '/config/')].initialState")
					.containsExactly(true);
				assertThat(content).extractingJsonPathArrayValue("$.listeners[?(@.prefix == '/config/')].actions[*]")
					.containsExactly("PUT", "DELETE");
				assertThat(content).extractingJsonPathArrayValue("$.listeners[?(@.prefix == '/poison/')].actions[*]")
					.containsExactly("PUT");
				assertThat(content).extractingJsonPathStringValue("$.membership.members[0].nodeId").isEqualTo("node-1");
				assertThat(content).extractingJsonPathStringValue("$.locks.holders[0].holder").isEqualTo("node-1");
				assertThat(content).extractingJsonPathNumberValue("$.consumer.ackFloorRevision").isNotNull();
				assertThat(content).extractingJsonPathStringValue("$.deadLetters.recent[0].recordedAt")
					.matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
				assertThat(content).doesNotHaveJsonPath("$.bucket.error");
				lock.unlock();
			});
	}

	private static boolean caughtUp(CoordinatorDescriptor described, long last) {
		Long ackFloor = described.consumer().ackFloorRevision();
		return !described.deadLetters().recent().isEmpty() && ackFloor != null && ackFloor >= last
				&& ackFloor.equals(described.stream().lastSequence())
				&& described.reader().lastProcessedRevision() == ackFloor;
	}

	@Test
	void noPasswordOfTheServerUrlAnywhereInTheJson() {
		try (NatsServerProcess secured = NatsServerProcess.start(List.of("--user", "ops", "--pass", PASSWORD))) {
			String host = secured.url().substring("nats://".length());
			String servers = "nats://ops:" + PASSWORD + "@" + host + ",ops:" + PASSWORD + "@" + host;
			runner(servers, "secured").run((context) -> {
				CoordinatorDescriptor described = context.getBean(CoordinatorEndpoint.class).coordinator();
				assertThat(described.connection().status()).isEqualTo("CONNECTED");
				assertThat(described.connection().servers()).containsExactly("nats://***@" + host, "***@" + host);
				assertThat(described.connection().connectedServer()).endsWith("***@" + host);
				assertThat(described.bucket().error()).isNull();
				String serialized = this.json.writeValueAsString(described);
				assertThat(serialized).doesNotContain(PASSWORD).doesNotContain("ops:");
			});
		}
	}

	@Test
	void answersPromptlyWithAnErrorForTheServerPartsWhileTheServerIsDown() {
		runner(this.server.url(), "down").withUserConfiguration(ListenerConfiguration.class)
			.withPropertyValues("coordinator.membership.enabled=true")
			.run((context) -> {
				CoordinatorEndpoint endpoint = context.getBean(CoordinatorEndpoint.class);
				Connection connection = context.getBean(Connection.class);
				await().atMost(Duration.ofSeconds(10)).until(context.getBean(EventLogContainer.class)::isSynced);
				this.server.process().kill();
				await().atMost(Duration.ofSeconds(10)).until(() -> connection.getStatus() != Connection.Status.CONNECTED);

				long started = System.nanoTime();
				CoordinatorDescriptor described = endpoint.coordinator();
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
				assertThat(described.connection().status()).isNotEqualTo("CONNECTED");
				assertThat(Arrays.asList(described.bucket().error(), described.stream().error(), described.consumer().error(),
						described.deadLetters().error(), described.locks().error()))
					.allSatisfy((error) -> assertThat(error).startsWith("not read: the NATS connection is"));
				assertThat(described.bucket().values()).isNull();
				assertThat(described.consumer().ackFloorRevision()).isNull();
				// What the node holds itself is still there.
				assertThat(described.nodeId()).isEqualTo("node-1");
				assertThat(described.listeners()).hasSize(2);
				assertThat(described.membership().members()).extracting("nodeId").containsExactly("node-1");
				assertThat(new BasicJsonTester(getClass()).from(this.json.writeValueAsString(described)))
					.extractingJsonPathStringValue("$.consumer.error")
					.startsWith("not read");

				this.server.process().restart();
				await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.coordinator().consumer().error() == null);
				assertThat(endpoint.coordinator().bucket().values()).isNotNull();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		EndpointListeners endpointListeners() {
			return new EndpointListeners();
		}

	}

	static class EndpointListeners {

		@CoordinatorListener(prefix = "/config/", initialState = true)
		void onConfig(CoordinatorEvent event) {
		}

		@CoordinatorListener(prefix = "/poison/", actions = CoordinatorAction.PUT)
		void onPoison(CoordinatorEvent event) {
			throw new IllegalStateException("cannot handle " + event.getKey());
		}

	}

}
