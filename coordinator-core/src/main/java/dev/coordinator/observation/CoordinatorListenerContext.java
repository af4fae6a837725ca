package dev.coordinator.observation;

import java.util.Objects;

import dev.coordinator.CoordinatorEvent;
import io.micrometer.observation.transport.ReceiverContext;

/**
 * What an observation of a listener call knows: the listener and the event, whose
 * {@link CoordinatorEvent#getTraceHeaders() trace headers} make the writer's span the parent of the call.
 * Replayed state is not a child of the write that stored it: its calls start traces of their own.
 */
public class CoordinatorListenerContext extends ReceiverContext<CoordinatorEvent> {

	private final String listenerId;

	/**
	 * Creates a context.
	 * @param event the event handed to the listener
	 * @param listenerId the listener's id ({@code watch:<prefix>} for a watch handler)
	 */
	public CoordinatorListenerContext(CoordinatorEvent event, String listenerId) {
		super((carrier, name) -> carrier.isReplay() ? null : carrier.getTraceHeaders().get(name));
		setCarrier(Objects.requireNonNull(event, "event"));
		this.listenerId = Objects.requireNonNull(listenerId, "listenerId");
	}

	/**
	 * Returns the event handed to the listener.
	 * @return the event
	 */
	public CoordinatorEvent getEvent() {
		CoordinatorEvent event = getCarrier();
		Objects.requireNonNull(event, "event");
		return event;
	}

	/**
	 * Returns the listener's id.
	 * @return the id; {@code watch:<prefix>} for a watch handler
	 */
	public String getListenerId() {
		return this.listenerId;
	}

}
