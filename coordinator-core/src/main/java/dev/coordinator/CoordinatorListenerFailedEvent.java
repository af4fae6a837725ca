package dev.coordinator;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a listener failed on an event in every attempt: the event was given up for that listener
 * (the other listeners received it) and recorded as a dead letter.
 */
public class CoordinatorListenerFailedEvent extends ApplicationEvent {

	private final CoordinatorEvent event;

	private final String listenerId;

	private final int attempts;

	private final Throwable failure;

	/**
	 * Creates an event.
	 * @param event the event the listener failed on
	 * @param listenerId the id of the listener, or {@code watch:<prefix>} for a watch registration
	 * @param attempts how often the listener was called
	 * @param failure the exception of the last attempt
	 */
	public CoordinatorListenerFailedEvent(CoordinatorEvent event, String listenerId, int attempts, Throwable failure) {
		super(event.getSource());
		this.event = event;
		this.listenerId = listenerId;
		this.attempts = attempts;
		this.failure = failure;
	}

	/**
	 * Returns the event the listener failed on.
	 * @return the event
	 */
	public CoordinatorEvent getEvent() {
		return this.event;
	}

	/**
	 * Returns the id of the listener.
	 * @return the listener id
	 */
	public String getListenerId() {
		return this.listenerId;
	}

	/**
	 * Returns how often the listener was called.
	 * @return the attempts
	 */
	public int getAttempts() {
		return this.attempts;
	}

	/**
	 * Returns the exception of the last attempt.
	 * @return the failure
	 */
	public Throwable getFailure() {
		return this.failure;
	}

}
