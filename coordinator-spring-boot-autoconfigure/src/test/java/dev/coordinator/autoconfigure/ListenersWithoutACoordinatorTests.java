package dev.coordinator.autoconfigure;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.StubCoordinator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @CoordinatorListener} methods where no coordinator delivers events (the coordinator is disabled, or the
 * application's own {@code Coordinator} publishes its events in the context): they receive the events published
 * in the application, filtered by prefix and action as the coordinator would, never as plain listeners.
 */
class ListenersWithoutACoordinatorTests {

	private static final Coordinator SOURCE = new StubCoordinator("n");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class))
		.withUserConfiguration(ListenerConfiguration.class);

	@Test
	void disabledCoordinatorKeepsTheFiltering() {
		this.contextRunner.withPropertyValues("coordinator.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(Coordinator.class);
			publishAndCheck(context);
		});
	}

	@Test
	void applicationsOwnCoordinatorPublishingEventsGetsTheFiltering() {
		this.contextRunner.withBean(Coordinator.class, () -> SOURCE).run((context) -> {
			assertThat(context).hasSingleBean(Coordinator.class);
			publishAndCheck(context);
		});
	}

	private static void publishAndCheck(AssertableApplicationContext context) {
		context.publishEvent(event("/nodes/a", CoordinatorAction.PUT, false));
		context.publishEvent(event("/nodes/a", CoordinatorAction.DELETE, false));
		context.publishEvent(event("/schema/x", CoordinatorAction.PUT, false));
		context.publishEvent(event("/nodes/b", CoordinatorAction.PUT, true));
		Listeners listeners = context.getBean(Listeners.class);
		assertThat(describe(listeners.nodes)).containsExactly("PUT /nodes/a", "DELETE /nodes/a");
		assertThat(describe(listeners.nodeDeletes)).containsExactly("DELETE /nodes/a");
		assertThat(describe(listeners.nodeState)).containsExactly("PUT /nodes/a", "DELETE /nodes/a",
				"PUT /nodes/b replay");
		assertThat(describe(listeners.plain)).containsExactly("PUT /nodes/a", "DELETE /nodes/a", "PUT /schema/x",
				"PUT /nodes/b replay");
	}

	private static CoordinatorEvent event(String key, CoordinatorAction action, boolean replay) {
		return new CoordinatorEvent(SOURCE, key, action, (action == CoordinatorAction.PUT) ? new byte[0] : null, 1, "n",
				Instant.now(), false, replay);
	}

	private static List<String> describe(List<CoordinatorEvent> events) {
		return events.stream()
			.map((event) -> event.getAction() + " " + event.getKey() + (event.isReplay() ? " replay" : ""))
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

	}

	static class Listeners {

		final List<CoordinatorEvent> nodes = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> nodeDeletes = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> nodeState = new CopyOnWriteArrayList<>();

		final List<CoordinatorEvent> plain = new CopyOnWriteArrayList<>();

		@CoordinatorListener(prefix = "/nodes/")
		void onNode(CoordinatorEvent event) {
			this.nodes.add(event);
		}

		@CoordinatorListener(prefix = "/nodes/", actions = CoordinatorAction.DELETE)
		void onNodeDelete(CoordinatorEvent event) {
			this.nodeDeletes.add(event);
		}

		@CoordinatorListener(prefix = "/nodes/", initialState = true)
		void onNodeState(CoordinatorEvent event) {
			this.nodeState.add(event);
		}

		@EventListener
		void onAny(CoordinatorEvent event) {
			this.plain.add(event);
		}

	}

}
