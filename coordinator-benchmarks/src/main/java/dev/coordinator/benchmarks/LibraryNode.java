package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import dev.coordinator.nats.NatsCoordinatorSettings;
import io.nats.client.Connection;
import io.nats.client.api.AckPolicy;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The library side of a comparison: a Spring Boot node with the starter auto-configured against the
 * benchmark's server, whose {@code @CoordinatorListener} hands the events of keys under {@value #PREFIX} to
 * a replaceable sink.
 */
final class LibraryNode implements AutoCloseable {

	/** Prefix of the keys whose events reach {@link #onEvent(Consumer)}. */
	static final String PREFIX = "/bench/";

	private final ConfigurableApplicationContext context;

	private LibraryNode(ConfigurableApplicationContext context) {
		this.context = context;
	}

	static LibraryNode start(String serverUrl, String namespace, String nodeId, BucketAndConsumerSettings settings) {
		return start(serverUrl, namespace, nodeId, settings, NodeConfiguration.class);
	}

	/**
	 * Starts a node with an application configuration of its own and more properties.
	 * @param configuration the application's configuration, with {@code @EnableAutoConfiguration}
	 * @param moreProperties further properties, as {@code name=value}
	 */
	static LibraryNode start(String serverUrl, String namespace, String nodeId, BucketAndConsumerSettings settings,
			Class<?> configuration, String... moreProperties) {
		List<String> properties = new ArrayList<>(List.of("coordinator.nats.servers=" + serverUrl,
				"coordinator.namespace=" + namespace, "coordinator.node-id=" + nodeId, "logging.level.root=WARN"));
		properties.addAll(settings.properties());
		properties.addAll(List.of(moreProperties));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(configuration)
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.registerShutdownHook(false)
			.properties(properties.toArray(String[]::new))
			.run();
		return new LibraryNode(context);
	}

	Coordinator coordinator() {
		return this.context.getBean(Coordinator.class);
	}

	/**
	 * Returns the coordinator as its implementation, to stop and start its event delivery.
	 */
	NatsCoordinator natsCoordinator() {
		return this.context.getBean(NatsCoordinator.class);
	}

	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	EventLogContainer container() {
		return this.context.getBean(EventLogContainer.class);
	}

	/**
	 * Waits until the node received and acknowledged every event of its bucket.
	 */
	void awaitCaughtUp() throws InterruptedException {
		NatsCoordinatorSettings settings = this.context.getBean(NatsCoordinatorSettings.class);
		RawNode.awaitCaughtUp(this.context.getBean(Connection.class), settings.streamName(), settings.durableName(),
				AckPolicy.All);
	}

	/**
	 * Sets what the node's listener does with the events of keys under {@value #PREFIX}.
	 */
	void onEvent(Consumer<CoordinatorEvent> sink) {
		this.context.getBean(EventSink.class).target = sink;
	}

	@Override
	public void close() {
		this.context.close();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class NodeConfiguration {

		@Bean
		EventSink eventSink() {
			return new EventSink();
		}

	}

	/**
	 * The node's listener, as an application would declare it.
	 */
	static class EventSink {

		volatile Consumer<CoordinatorEvent> target = (event) -> {
		};

		@CoordinatorListener(prefix = PREFIX)
		void on(CoordinatorEvent event) {
			this.target.accept(event);
		}

	}

}
