package dev.coordinator.json;

import dev.coordinator.membership.Member;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * Reflection hints for a native image: the records the coordinator itself writes and reads as JSON (member
 * records, lock records). {@code @CoordinatorListener} methods need none of their own: the annotation is an
 * {@code @EventListener}, whose methods Spring's AOT processing registers. An application registers the types it
 * stores with {@code putJson} and reads with {@code valueAs} itself, e.g. with
 * {@code @RegisterReflectionForBinding}.
 */
class CoordinatorRuntimeHints implements RuntimeHintsRegistrar {

	/** Package-private in its own package: named here rather than referenced. */
	private static final String LOCK_RECORD = "dev.coordinator.lock.LockRecord";

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), Member.class,
				ClassUtils.resolveClassName(LOCK_RECORD, classLoader));
	}

}
