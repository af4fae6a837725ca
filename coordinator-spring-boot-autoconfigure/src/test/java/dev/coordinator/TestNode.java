package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;

import org.springframework.boot.WebApplicationType;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.EventListener;
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
		return startWith(new Class<?>[0], serverUrl, namespace, nodeId, properties);
	}

	/**
	 * Starts a node whose context also holds the given configuration classes.
	 */
	static TestNode startWith(Class<?>[] configurations, String serverUrl, String namespace, String nodeId,
			String... properties) {
		List<Class<?>> sources = new ArrayList<>(List.of(NodeConfiguration.class));
		sources.addAll(List.of(configurations));
		List<String> all = new ArrayList<>(List.of("coordinator.nats.servers=" + serverUrl,
				"coordinator.namespace=" + namespace, "coordinator.node-id=" + nodeId));
		all.addAll(List.of(properties));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.run();
		return new TestNode(context);
	}

	Coordinator coordinator() {
		return this.context.getBean(Coordinator.class);
	}

	NatsCoordinator natsCoordinator() {
		return this.context.getBean(NatsCoordinator.class);
	}

	EventLogContainer container() {
		return this.context.getBean(EventLogContainer.class);
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

		/** What an initial-state listener of {@code /state/} believes is stored: key to value. */
		final Map<String, String> stateView = new ConcurrentHashMap<>();

		final List<CoordinatorEvent> stateEvents = new CopyOnWriteArrayList<>();

		final List<ApplicationEvent> lifecycle = new CopyOnWriteArrayList<>();

		final List<CoordinatorListenerFailedEvent> failures = new CopyOnWriteArrayList<>();

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

		@CoordinatorListener(prefix = "/state/", initialState = true)
		void onState(CoordinatorEvent event) {
			this.stateEvents.add(event);
			if (event.getAction() == CoordinatorAction.PUT) {
				this.stateView.put(event.getKey(), new String(event.getValue(), StandardCharsets.UTF_8));
			}
			else {
				this.stateView.remove(event.getKey());
			}
		}

		@EventListener({ CoordinatorSyncedEvent.class, CoordinatorResyncEvent.class })
		void onLifecycle(ApplicationEvent event) {
			this.lifecycle.add(event);
		}

		@EventListener
		void onFailure(CoordinatorListenerFailedEvent event) {
			this.failures.add(event);
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
