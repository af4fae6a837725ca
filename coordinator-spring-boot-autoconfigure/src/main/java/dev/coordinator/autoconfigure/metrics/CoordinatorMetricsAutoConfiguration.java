package dev.coordinator.autoconfigure.metrics;

import dev.coordinator.autoconfigure.CoordinatorAutoConfiguration;
import dev.coordinator.listener.CoordinatorErrorHandler;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinatorSettings;
import io.nats.client.Connection;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the coordinator's Micrometer metrics, when Micrometer is on the classpath and the
 * coordinator runs on NATS. Spring Boot's metrics support binds the {@link MeterBinder} to every registry.
 */
@AutoConfiguration(after = CoordinatorAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(EventLogContainer.class)
public final class CoordinatorMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CoordinatorMetrics coordinatorMetrics(EventLogContainer container, Connection natsConnection,
			ObjectProvider<ClusterMembership> membership, ObjectProvider<CoordinatorLocks> locks,
			ObjectProvider<CoordinatorErrorHandler> errorHandler, NatsCoordinatorSettings settings) {
		CoordinatorMetrics metrics = new CoordinatorMetrics(container, natsConnection, membership.getIfAvailable(),
				locks.getIfAvailable(), settings.namespace(), settings.nodeId());
		errorHandler.ifAvailable(metrics::setErrorHandler);
		return metrics;
	}

}
