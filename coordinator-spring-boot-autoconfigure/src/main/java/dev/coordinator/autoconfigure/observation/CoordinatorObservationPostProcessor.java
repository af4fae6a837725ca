package dev.coordinator.autoconfigure.observation;

import dev.coordinator.listener.EventDispatcher;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import dev.coordinator.observation.CoordinatorListenerObservationConvention;
import dev.coordinator.observation.CoordinatorWriteObservationConvention;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Hands the {@link ObservationRegistry} and the convention beans to the {@link NatsCoordinator} (writes) and the
 * {@link EventDispatcher} of the {@link EventLogContainer} (listener calls) before they are initialized, so that
 * nothing is written unobserved. The registry is looked up when the first of them is created.
 */
final class CoordinatorObservationPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<ObservationRegistry> observationRegistry;

	private final ObjectProvider<CoordinatorWriteObservationConvention> writeConvention;

	private final ObjectProvider<CoordinatorListenerObservationConvention> listenerConvention;

	CoordinatorObservationPostProcessor(ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<CoordinatorWriteObservationConvention> writeConvention,
			ObjectProvider<CoordinatorListenerObservationConvention> listenerConvention) {
		this.observationRegistry = observationRegistry;
		this.writeConvention = writeConvention;
		this.listenerConvention = listenerConvention;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof NatsCoordinator coordinator) {
			coordinator.setObservationRegistry(this.observationRegistry.getObject());
			coordinator.setObservationConvention(this.writeConvention.getIfUnique());
		}
		else if (bean instanceof EventLogContainer container) {
			EventDispatcher dispatcher = container.getDispatcher();
			dispatcher.setObservationRegistry(this.observationRegistry.getObject());
			dispatcher.setObservationConvention(this.listenerConvention.getIfUnique());
		}
		return bean;
	}

}
