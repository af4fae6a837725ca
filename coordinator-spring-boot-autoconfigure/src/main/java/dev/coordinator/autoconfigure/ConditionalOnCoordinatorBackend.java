package dev.coordinator.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code coordinator.backend} names a backend (relaxed, as it binds: {@code in-memory},
 * {@code IN_MEMORY}); {@code nats} when unset.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnCoordinatorBackendCondition.class)
@interface ConditionalOnCoordinatorBackend {

	/**
	 * The backend that must be configured.
	 * @return the backend
	 */
	CoordinatorProperties.Backend value();

}
