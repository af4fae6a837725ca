package dev.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * A cluster node for tests: a real Spring Boot context with the coordinator auto-configured against a real
 * nats-server, and listeners that record what they receive.
 */
final class TestNode implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private TestNode(ConfigurableApplicationContext context) {
		this.context = context;
	}

	static TestNode start(String serverUrl, String namespace, String nodeId, String... properties) {
		List<String> all = new ArrayList<>(List.of("coordinator.nats.servers=" + serverUrl,
				"coordinator.namespace=" + namespace, "coordinator.node-id=" + nodeId));
		all.addAll(List.of(properties));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(NodeConfiguration.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.run();
		return new TestNode(context);
	}

	Coordinator coordinator() {
		return this.context.getBean(Coordinator.class);
	}

	Listeners listeners() {
		return this.context.getBean(Listeners.class);
	}

	ConfigurableApplicationContext context() {
		return this.context;
	}

	@Override
	public void close() {
		this.context.close();
	}

	static List<String> keys(List<CoordinatorEvent> events) {
		return events.stream().map(CoordinatorEvent::getKey).toList();
	}

	static List<Long> revisions(List<CoordinatorEvent> events) {
		return events.stream().map(CoordinatorEvent::getRevision).toList();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class NodeConfiguration {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

	}

	/**
	 * Listener methods that record the events they receive.
	 */
	static class Listeners {

		final List<CoordinatorEvent> all = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> nodes = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> nodeDeletes = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> schema = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> afterFailure = new CopyOnWriteArrayList<>();

		@CoordinatorListener
		void onAny(CoordinatorEvent event) {
			this.all.add(event);
		}

		@CoordinatorListener(prefix = "/nodes/")
		void onNode(CoordinatorEvent event) {
			this.nodes.add(event);
		}

		@CoordinatorListener(prefix = "/nodes/", actions = CoordinatorAction.DELETE)
		void onNodeDelete(CoordinatorEvent event) {
			this.nodeDeletes.add(event);
		}

		@CoordinatorListener(prefix = "/schema/")
		void onSchema(CoordinatorEvent event) {
			this.schema.add(event);
		}

		@Order(1)
		@CoordinatorListener(prefix = "/fail/")
		void failing(CoordinatorEvent event) {
			throw new IllegalStateException("listener failure for " + event.getKey());
		}

		@Order(2)
		@CoordinatorListener(prefix = "/fail/")
		void afterFailing(CoordinatorEvent event) {
			this.afterFailure.add(event);
		}

	}

}
