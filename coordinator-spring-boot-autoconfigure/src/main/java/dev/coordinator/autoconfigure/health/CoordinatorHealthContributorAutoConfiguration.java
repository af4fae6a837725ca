package dev.coordinator.autoconfigure.health;

import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.autoconfigure.CoordinatorProperties;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the coordinator's health indicators, when Spring Boot's health support is on the
 * classpath and the coordinator runs on NATS: {@code coordinator} (is coordination working) and
 * {@code coordinatorReadiness} (is the initial state in sync), which joins the {@code readiness} group of the
 * availability probes.
 */
@AutoConfiguration(after = CoordinatorAutoConfiguration.class,
		afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(EventLogContainer.class)
@ConditionalOnEnabledHealthIndicator("coordinator")
public final class CoordinatorHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "coordinatorHealthIndicator")
	CoordinatorHealthIndicator coordinatorHealthIndicator(NatsCoordinator coordinator, EventLogContainer container,
			CoordinatorProperties properties) {
		return new CoordinatorHealthIndicator(coordinator, container, properties.getHealth().getMaxLag());
	}

	@Bean
	@ConditionalOnMissingBean(name = "coordinatorReadinessHealthIndicator")
	CoordinatorReadinessIndicator coordinatorReadinessHealthIndicator(EventLogContainer container) {
		return new CoordinatorReadinessIndicator(container);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthEndpointGroupsPostProcessor.class, SecurityContext.class })
	static class ReadinessGroupConfiguration {

		@Bean
		CoordinatorReadinessGroup coordinatorReadinessGroup(Environment environment) {
			return new CoordinatorReadinessGroup(environment);
		}

	}

}
