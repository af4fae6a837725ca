package dev.coordinator.listener;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.CoordinatorListenerFailedEvent;
import dev.coordinator.StubCoordinator;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
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
			EventDispatcher dispatcher = dispatcher(context);

			dispatcher.dispatch(event("/nodes/a", CoordinatorAction.PUT));
			dispatcher.dispatch(event("/nodes/a", CoordinatorAction.DELETE));
			dispatcher.dispatch(event("/schema/t", CoordinatorAction.PUT));

			// The failing listener is called three times, then its failure is published, then the others run.
			assertThat(recorder.calls).containsExactly("failing PUT /nodes/a", "failing PUT /nodes/a",
					"failing PUT /nodes/a", "dead letter of failing: PUT /nodes/a after 3 attempts", "nodes PUT /nodes/a",
					"any PUT /nodes/a", "failing DELETE /nodes/a", "failing DELETE /nodes/a", "failing DELETE /nodes/a",
					"dead letter of failing: DELETE /nodes/a after 3 attempts", "nodes DELETE /nodes/a",
					"deletes DELETE /nodes/a", "any DELETE /nodes/a", "any PUT /schema/t", "plain PUT /schema/t");
		}
	}

	@Test
	void aListenerThatRecoversWithinItsAttemptsIsNotADeadLetter() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(ListenerConfiguration.class)) {
			Recorder recorder = context.getBean(Recorder.class);

			dispatcher(context).dispatch(event("/flaky/a", CoordinatorAction.PUT));

			assertThat(recorder.calls).containsExactly("flaky PUT /flaky/a", "flaky PUT /flaky/a", "any PUT /flaky/a");
		}
	}

	@Test
	void initialStateListenersGetReplaysThenOnlyChangesTheReplayLacks() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(ListenerConfiguration.class)) {
			Recorder recorder = context.getBean(Recorder.class);
			EventDispatcher dispatcher = dispatcher(context);
			assertThat(dispatcher.initialStatePrefixes()).containsExactly("/state/");

			// The stored state, listed after revision 7 was the log's last, holds a@5 and c@10; the log is read in order.
			dispatcher.initialState().setPrefixes(dispatcher.initialStatePrefixes());
			dispatcher.initialState().reconcile(List.of(entry("/state/a", 5), entry("/state/c", 10)), 7);
			dispatcher.replay(replay("/state/a", 5));
			dispatcher.replay(replay("/state/c", 10));
			dispatcher.dispatch(live("/state/a", 6));
			dispatcher.dispatch(live("/state/b", 8));
			dispatcher.dispatch(live("/state/c", 9));
			dispatcher.dispatch(live("/state/c", 11));
			dispatcher.dispatch(live("/state/a", 12));

			assertThat(recorder.calls).filteredOn((call) -> call.startsWith("state")).containsExactly(
					"state PUT /state/a @5 replay", "state PUT /state/c @10 replay", "state PUT /state/b @8",
					"state PUT /state/c @11", "state PUT /state/a @12");
			assertThat(recorder.calls).filteredOn((call) -> call.startsWith("any")).containsExactly(
					"any PUT /state/a", "any PUT /state/b", "any PUT /state/c", "any PUT /state/c", "any PUT /state/a");
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
	void listenerBeansKeepTheirScopeSingletonsOnceAndPrototypesAnInstancePerEvent() {
		ScopedListenerConfiguration.instances.clear();
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(
				ScopedListenerConfiguration.class)) {
			EventDispatcher dispatcher = dispatcher(context);

			dispatcher.dispatch(event("/scoped/a", CoordinatorAction.PUT));
			dispatcher.dispatch(event("/scoped/b", CoordinatorAction.PUT));
			dispatcher.dispatch(event("/scoped/c", CoordinatorAction.PUT));

			List<ScopedListener> singleton = ScopedListenerConfiguration.instances.stream()
				.filter((listener) -> listener.name.equals("singleton"))
				.toList();
			List<ScopedListener> prototypes = ScopedListenerConfiguration.instances.stream()
				.filter((listener) -> listener.name.equals("prototype"))
				.toList();
			// The singleton bean was created once, and received all three events.
			assertThat(singleton).hasSize(1);
			assertThat(singleton.get(0).received).containsExactly("/scoped/a", "/scoped/b", "/scoped/c");
			// The listener keeps no prototype bean: each event went to an instance of its own.
			assertThat(prototypes).hasSize(3);
			assertThat(prototypes.stream().map((listener) -> listener.received)).containsExactly(List.of("/scoped/a"),
					List.of("/scoped/b"), List.of("/scoped/c"));
			assertThat(singleton.get(0)).isSameAs(context.getBean("singletonListener"));
		}
	}

	@Test
	void factoryClaimsOnlyCoordinatorListeners() {
		CoordinatorListenerFactory factory = new CoordinatorListenerFactory();
		assertThat(factory.supportsMethod(method(Recorder.class, "onNode"))).isTrue();
		assertThat(factory.supportsMethod(method(Recorder.class, "plain"))).isFalse();
		assertThat(factory.getOrder()).isLessThan(50);
	}

	/**
	 * The dispatcher as the auto-configuration builds it, with a recoverer that announces dead letters.
	 */
	private static EventDispatcher dispatcher(AnnotationConfigApplicationContext context) {
		CoordinatorRecoverer recoverer = (call, failure, attempts) -> context.publishEvent(
				new CoordinatorListenerFailedEvent(call.getEvent(), call.getListenerId(), attempts, failure));
		return new EventDispatcher(context, context.getBean(CoordinatorListenerFactory.class).getRegistry(),
				new WatchRegistry(), new DefaultCoordinatorErrorHandler(recoverer, 3, Duration.ofMillis(1),
						Duration.ofMillis(2)));
	}

	private static CoordinatorEntry entry(String key, long revision) {
		return new CoordinatorEntry(key, new byte[0], revision, Instant.now(), new Jackson2JsonCodec());
	}

	private static CoordinatorListenerMethodAdapter adapter(String methodName) {
		return new CoordinatorListenerMethodAdapter("invalid", Invalid.class, method(Invalid.class, methodName));
	}

	private static Method method(Class<?> type, String name) {
		return Arrays.stream(type.getDeclaredMethods()).filter((m) -> m.getName().equals(name)).findFirst().orElseThrow();
	}

	private static CoordinatorEvent replay(String key, long revision) {
		return new CoordinatorEvent(NO_COORDINATOR, key, CoordinatorAction.PUT, new byte[0], revision, "n", Instant.now(),
				false, true);
	}

	private static CoordinatorEvent live(String key, long revision) {
		return new CoordinatorEvent(NO_COORDINATOR, key, CoordinatorAction.PUT, new byte[0], revision, "n", Instant.now(),
				false);
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

	@Configuration(proxyBeanMethods = false)
	static class ScopedListenerConfiguration {

		static final List<ScopedListener> instances = new ArrayList<>();

		@Bean
		static CoordinatorListenerFactory coordinatorListenerFactory() {
			return new CoordinatorListenerFactory();
		}

		@Bean
		ScopedListener singletonListener() {
			return new ScopedListener("singleton");
		}

		@Bean
		@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
		ScopedListener prototypeListener() {
			return new ScopedListener("prototype");
		}

	}

	static class ScopedListener {

		final String name;

		final List<String> received = new ArrayList<>();

		ScopedListener(String name) {
			this.name = name;
			ScopedListenerConfiguration.instances.add(this);
		}

		@CoordinatorListener(prefix = "/scoped/")
		void on(CoordinatorEvent event) {
			this.received.add(event.getKey());
		}

	}

	static class Recorder {

		final List<String> calls = new ArrayList<>();

		private int flakyCalls;

		@CoordinatorListener(prefix = "/state/", initialState = true)
		void onState(CoordinatorEvent event) {
			this.calls.add("state " + event.getAction() + " " + event.getKey() + " @" + event.getRevision()
					+ (event.isReplay() ? " replay" : ""));
		}

		@Order(0)
		@CoordinatorListener(prefix = "/flaky/")
		void flaky(CoordinatorEvent event) {
			record("flaky", event);
			if (++this.flakyCalls < 2) {
				throw new IllegalStateException("fails once");
			}
		}

		@EventListener
		void onFailed(CoordinatorListenerFailedEvent failed) {
			String id = failed.getListenerId();
			String method = id.substring(id.lastIndexOf('.', id.indexOf('(')) + 1, id.indexOf('('));
			this.calls.add("dead letter of " + method + ": " + failed.getEvent().getAction() + " "
					+ failed.getEvent().getKey() + " after " + failed.getAttempts()
					+ " attempts");
		}

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

	private static final Coordinator NO_COORDINATOR = new StubCoordinator("n");

}
