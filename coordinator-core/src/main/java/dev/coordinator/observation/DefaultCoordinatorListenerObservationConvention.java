package dev.coordinator.observation;

import dev.coordinator.observation.CoordinatorObservation.HighCardinalityKeys;
import dev.coordinator.observation.CoordinatorObservation.ListenerLowCardinalityKeys;
import io.micrometer.common.KeyValues;

/**
 * Default {@link CoordinatorListenerObservationConvention}: keys {@code listener} and {@code replay}, the event's key
 * as a high-cardinality key, and spans named {@code <listener> receive}.
 */
public class DefaultCoordinatorListenerObservationConvention implements CoordinatorListenerObservationConvention {

	/** A shared instance. */
	public static final DefaultCoordinatorListenerObservationConvention INSTANCE = new DefaultCoordinatorListenerObservationConvention();

	@Override
	public KeyValues getLowCardinalityKeyValues(CoordinatorListenerContext context) {
		return KeyValues.of(ListenerLowCardinalityKeys.LISTENER.withValue(context.getListenerId()),
				ListenerLowCardinalityKeys.REPLAY.withValue(Boolean.toString(context.getEvent().isReplay())));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(CoordinatorListenerContext context) {
		return KeyValues.of(HighCardinalityKeys.KEY.withValue(context.getEvent().getKey()));
	}

	@Override
	public String getContextualName(CoordinatorListenerContext context) {
		return context.getListenerId() + " receive";
	}

}
