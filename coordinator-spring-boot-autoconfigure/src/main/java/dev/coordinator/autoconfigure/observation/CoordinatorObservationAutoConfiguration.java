package dev.coordinator.autoconfigure.observation;

import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.observation.CoordinatorListenerObservationConvention;
import dev.coordinator.observation.CoordinatorWriteObservationConvention;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the coordinator's observations, when Micrometer Observation is on the classpath and an
 * {@link ObservationRegistry} bean exists (Spring Boot's {@code spring-boot-micrometer-observation} module, which
 * Actuator brings, defines one): writes and listener calls are observed with that registry, and with the
 * {@link CoordinatorWriteObservationConvention} and {@link CoordinatorListenerObservationConvention} beans, if
 * any. Tracing and timers follow from the registry's handlers. {@code coordinator.observation-enabled=false}
 * turns it off.
 */
@AutoConfiguration(after = CoordinatorAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "coordinator.observation-enabled", matchIfMissing = true)
public final class CoordinatorObservationAutoConfiguration {

	@Bean
	static CoordinatorObservationPostProcessor coordinatorObservationPostProcessor(
			ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<CoordinatorWriteObservationConvention> writeConvention,
			ObjectProvider<CoordinatorListenerObservationConvention> listenerConvention) {
		return new CoordinatorObservationPostProcessor(observationRegistry, writeConvention, listenerConvention);
	}

}
