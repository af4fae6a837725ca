package dev.coordinator.listener;

import java.lang.reflect.Method;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.Registration;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The listener wiring in a plain Spring context: events are published by hand, so these tests are about
 * filtering, ordering and failure isolation, not about NATS.
 */
class CoordinatorListenerMethodAdapterTests {

	@Test
	void listenersReceiveMatchingEventsInOrderAndFailuresStayIsolated() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(ListenerConfiguration.class)) {
			Recorder recorder = context.getBean(Recorder.class);

			context.publishEvent(event("/nodes/a", CoordinatorAction.PUT));
			context.publishEvent(event("/nodes/a", CoordinatorAction.DELETE));
			context.publishEvent(event("/schema/t", CoordinatorAction.PUT));

			assertThat(recorder.calls).containsExactly("failing PUT /nodes/a", "nodes PUT /nodes/a", "any PUT /nodes/a",
					"failing DELETE /nodes/a", "nodes DELETE /nodes/a", "deletes DELETE /nodes/a", "any DELETE /nodes/a",
					"any PUT /schema/t", "plain PUT /schema/t");
		}
	}

	@Test
	void methodsWithoutAnEventParameterAreRejected() {
		assertThatIllegalStateException().isThrownBy(() -> adapter("noParameter"))
			.withMessageContaining("Invalid.noParameter")
			.withMessageContaining("exactly one parameter of type CoordinatorEvent");
		assertThatIllegalStateException().isThrownBy(() -> adapter("wrongType"))
			.withMessageContaining("exactly one parameter of type CoordinatorEvent");
	}

	@Test
	void prefixesMustLookLikeKeys() {
		assertThatIllegalStateException().isThrownBy(() -> adapter("relativePrefix"))
			.withMessageContaining("prefix 'nodes/'")
			.withMessageContaining("prefix = \"/nodes/\"");
		assertThatIllegalStateException().isThrownBy(() -> adapter("noActions")).withMessageContaining("lists no actions");
	}

	@Test
	void factoryClaimsOnlyCoordinatorListeners() {
		CoordinatorListenerFactory factory = new CoordinatorListenerFactory();
		assertThat(factory.supportsMethod(method(Recorder.class, "onNode"))).isTrue();
		assertThat(factory.supportsMethod(method(Recorder.class, "plain"))).isFalse();
		assertThat(factory.getOrder()).isLessThan(50);
	}

	private static CoordinatorListenerMethodAdapter adapter(String methodName) {
		return new CoordinatorListenerMethodAdapter("invalid", Invalid.class, method(Invalid.class, methodName));
	}

	private static Method method(Class<?> type, String name) {
		return Arrays.stream(type.getDeclaredMethods()).filter((m) -> m.getName().equals(name)).findFirst().orElseThrow();
	}

	private static CoordinatorEvent event(String key, CoordinatorAction action) {
		return new CoordinatorEvent(NO_COORDINATOR, key, action, (action == CoordinatorAction.PUT) ? new byte[0] : null, 1,
				"n", Instant.now(), false);
	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		static CoordinatorListenerFactory coordinatorListenerFactory() {
			return new CoordinatorListenerFactory();
		}

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	static class Recorder {

		final List<String> calls = new ArrayList<>();

		@Order(1)
		@CoordinatorListener(prefix = "/nodes/")
		void failing(CoordinatorEvent event) {
			record("failing", event);
			throw new IllegalStateException("expected");
		}

		@Order(2)
		@CoordinatorListener(prefix = "/nodes/")
		void onNode(CoordinatorEvent event) {
			record("nodes", event);
		}

		@Order(3)
		@CoordinatorListener(prefix = "/nodes/", actions = CoordinatorAction.DELETE)
		void onDelete(CoordinatorEvent event) {
			record("deletes", event);
		}

		@Order(4)
		@CoordinatorListener
		void onAny(CoordinatorEvent event) {
			record("any", event);
		}

		@Order(5)
		@EventListener
		void plain(CoordinatorEvent event) {
			if (event.getKey().startsWith("/schema/")) {
				record("plain", event);
			}
		}

		private void record(String listener, CoordinatorEvent event) {
			this.calls.add(listener + " " + event.getAction() + " " + event.getKey());
		}

	}

	static class Invalid {

		@CoordinatorListener
		void noParameter() {
		}

		@CoordinatorListener
		void wrongType(String event) {
		}

		@CoordinatorListener(prefix = "nodes/")
		void relativePrefix(CoordinatorEvent event) {
		}

		@CoordinatorListener(actions = {})
		void noActions(CoordinatorEvent event) {
		}

	}

	private static final Coordinator NO_COORDINATOR = new Coordinator() {

		@Override
		public String nodeId() {
			return "n";
		}

		@Override
		public long put(String key, byte[] value, boolean notify) {
			throw new UnsupportedOperationException();
		}

		@Override
		public CompletableFuture<Long> putAsync(String key, byte[] value) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Optional<CoordinatorEntry> get(String key) {
			throw new UnsupportedOperationException();
		}

		@Override
		public boolean delete(String key, boolean notify) {
			throw new UnsupportedOperationException();
		}

		@Override
		public int deletePrefix(String prefix) {
			throw new UnsupportedOperationException();
		}

		@Override
		public List<String> keys(String prefix) {
			throw new UnsupportedOperationException();
		}

		@Override
		public List<CoordinatorEntry> list(String prefix) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Registration watch(String prefix, Consumer<CoordinatorEvent> handler) {
			throw new UnsupportedOperationException();
		}

	};

}
