package dev.coordinator.autoconfigure.health;

import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.autoconfigure.CoordinatorProperties;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the coordinator's health indicator ({@code coordinator}), when Spring Boot's health
 * support is on the classpath and the coordinator runs on NATS.
 */
@AutoConfiguration(after = CoordinatorAutoConfiguration.class)
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

}
