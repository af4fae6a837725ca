package dev.coordinator.observation;

import dev.coordinator.observation.CoordinatorObservation.HighCardinalityKeys;
import dev.coordinator.observation.CoordinatorObservation.WriteLowCardinalityKeys;
import io.micrometer.common.KeyValues;

/**
 * Default {@link CoordinatorWriteObservationConvention}: keys {@code operation} and {@code outcome}, the key as a
 * high-cardinality key, and spans named {@code coordinator <operation>}.
 */
public class DefaultCoordinatorWriteObservationConvention implements CoordinatorWriteObservationConvention {

	/** A shared instance. */
	public static final DefaultCoordinatorWriteObservationConvention INSTANCE = new DefaultCoordinatorWriteObservationConvention();

	@Override
	public KeyValues getLowCardinalityKeyValues(CoordinatorWriteContext context) {
		return KeyValues.of(WriteLowCardinalityKeys.OPERATION.withValue(context.getOperation()),
				WriteLowCardinalityKeys.OUTCOME.withValue(context.getOutcome()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(CoordinatorWriteContext context) {
		return KeyValues.of(HighCardinalityKeys.KEY.withValue(context.getKey()));
	}

	@Override
	public String getContextualName(CoordinatorWriteContext context) {
		return "coordinator " + context.getOperation();
	}

}
