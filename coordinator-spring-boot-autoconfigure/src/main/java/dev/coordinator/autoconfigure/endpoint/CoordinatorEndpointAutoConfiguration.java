package dev.coordinator.autoconfigure.endpoint;

import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.autoconfigure.CoordinatorConnectionDetails;
import dev.coordinator.autoconfigure.CoordinatorProperties;
import dev.coordinator.listener.CoordinatorListenerFactory;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.nats.DeadLetterRecoverer;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the coordinator's actuator endpoint ({@code coordinator}), when Spring Boot's actuator
 * is on the classpath, the coordinator runs on NATS, and the endpoint is available (accessible and exposed,
 * e.g. with {@code management.endpoints.web.exposure.include=health,coordinator}).
 */
@AutoConfiguration(after = CoordinatorAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(EventLogContainer.class)
@ConditionalOnAvailableEndpoint(CoordinatorEndpoint.class)
public final class CoordinatorEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CoordinatorEndpoint coordinatorEndpoint(NatsCoordinator coordinator, EventLogContainer container,
			CoordinatorListenerFactory listenerFactory, DeadLetterRecoverer deadLetters,
			CoordinatorConnectionDetails connectionDetails, ObjectProvider<ClusterMembership> membership,
			ObjectProvider<CoordinatorLocks> locks, CoordinatorProperties properties) {
		return new CoordinatorEndpoint(coordinator, container, listenerFactory.getRegistry(), deadLetters,
				connectionDetails.getServers(), membership.getIfAvailable(), locks.getIfAvailable(),
				properties.getRead().getTimeout());
	}

}
