package dev.coordinator.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * {@link ObservationConvention} of {@link CoordinatorObservation#LISTENER listener calls}; a bean of this type
 * replaces {@link DefaultCoordinatorListenerObservationConvention}.
 */
public interface CoordinatorListenerObservationConvention extends ObservationConvention<CoordinatorListenerContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof CoordinatorListenerContext;
	}

	@Override
	default String getName() {
		return "coordinator.listener";
	}

}
