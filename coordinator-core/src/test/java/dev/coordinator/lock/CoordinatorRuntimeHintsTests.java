package dev.coordinator.lock;

import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.membership.Member;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a native image needs to reflect on: the records the coordinator writes as JSON, through the registrar in
 * {@code META-INF/spring/aot.factories}, and {@code @CoordinatorListener} methods, through Spring's own
 * processing of {@code @EventListener}.
 */
class CoordinatorRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	CoordinatorRuntimeHintsTests() {
		AotServices.factories()
			.load(RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(this.hints, getClass().getClassLoader()));
	}

	@Test
	void memberRecordsCanBeWrittenAndRead() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(Member.class.getDeclaredConstructors()[0])).accepts(this.hints);
		for (String accessor : new String[] { "nodeId", "host", "webPort", "startedAt", "metadata" }) {
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Member.class, accessor))
				.accepts(this.hints);
		}
	}

	@Test
	void lockRecordsCanBeWrittenAndRead() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(LockRecord.class.getDeclaredConstructor(String.class, long.class, Long.class)))
			.accepts(this.hints);
		for (String accessor : new String[] { "holder", "ttlMillis", "token" }) {
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(LockRecord.class, accessor))
				.accepts(this.hints);
		}
	}

	@Test
	void coordinatorListenerMethodsAreRegisteredBySpringsEventListenerHints() {
		RuntimeHints beanHints = new RuntimeHints();
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(beanHints, Listeners.class);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Listeners.class, "onChange"))
			.accepts(beanHints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Listeners.class, "onChange"))
			.rejects(this.hints);
	}

	static class Listeners {

		@CoordinatorListener(prefix = "/nodes/")
		void onChange(CoordinatorEvent event) {
		}

	}

}
