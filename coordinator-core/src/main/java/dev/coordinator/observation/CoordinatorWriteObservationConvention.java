package dev.coordinator.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * {@link ObservationConvention} of {@link CoordinatorObservation#WRITE writes}; a bean of this type replaces
 * {@link DefaultCoordinatorWriteObservationConvention}.
 */
public interface CoordinatorWriteObservationConvention extends ObservationConvention<CoordinatorWriteContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof CoordinatorWriteContext;
	}

	@Override
	default String getName() {
		return "coordinator.write";
	}

}
