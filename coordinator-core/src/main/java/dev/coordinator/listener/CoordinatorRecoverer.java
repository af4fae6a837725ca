package dev.coordinator.listener;

/**
 * What {@link DefaultCoordinatorErrorHandler} does with a listener call that failed in every attempt, like
 * spring-kafka's {@code ConsumerRecordRecoverer}: the NATS implementation records a dead letter.
 */
@FunctionalInterface
public interface CoordinatorRecoverer {

	/**
	 * Gives up on an event for one listener.
	 * @param call the failed call
	 * @param lastFailure what the last attempt threw
	 * @param attempts how many times the listener was called with the event
	 */
	void recover(FailedListenerCall call, Throwable lastFailure, int attempts);

}
