package dev.coordinator.listener;

import java.util.Objects;

import dev.coordinator.CoordinatorEvent;

/**
 * A listener call that threw, handed to the {@link CoordinatorErrorHandler}: which listener, which event,
 * what it threw, and a way to call the listener again.
 */
public final class FailedListenerCall {

	private final String listenerId;

	private final CoordinatorEvent event;

	private final Throwable failure;

	private final Runnable call;

	/**
	 * Creates a failed call.
	 * @param listenerId the id of the listener: the method's listener id, or {@code watch:<prefix>}
	 * @param event the event it failed on
	 * @param failure what the first call threw
	 * @param call calls the listener with the event again
	 */
	public FailedListenerCall(String listenerId, CoordinatorEvent event, Throwable failure, Runnable call) {
		this.listenerId = Objects.requireNonNull(listenerId, "listenerId");
		this.event = Objects.requireNonNull(event, "event");
		this.failure = Objects.requireNonNull(failure, "failure");
		this.call = Objects.requireNonNull(call, "call");
	}

	/**
	 * Returns the id of the listener that failed.
	 * @return the listener id, or {@code watch:<prefix>} for a watch registration
	 */
	public String getListenerId() {
		return this.listenerId;
	}

	/**
	 * Returns the event the listener failed on.
	 * @return the event
	 */
	public CoordinatorEvent getEvent() {
		return this.event;
	}

	/**
	 * Returns what the first call threw.
	 * @return the failure
	 */
	public Throwable getFailure() {
		return this.failure;
	}

	/**
	 * Calls the listener with the event again, on the calling thread.
	 * @throws RuntimeException whatever the listener throws
	 */
	public void retry() {
		this.call.run();
	}

	@Override
	public String toString() {
		return this.listenerId + " on " + this.event.getAction() + " of key '" + this.event.getKey() + "' at revision "
				+ this.event.getRevision();
	}

}
