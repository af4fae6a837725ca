package dev.coordinator.listener;

/**
 * Handles the failure of a {@link dev.coordinator.CoordinatorListener @CoordinatorListener} method or a
 * {@link dev.coordinator.Coordinator#watch watch} handler on an event, like spring-kafka's
 * {@code CommonErrorHandler}. Define a bean of this type to replace the default,
 * {@link DefaultCoordinatorErrorHandler}.
 *
 * <p>It runs on the coordinator's reader thread before the event is acknowledged, so the events after it
 * wait until it returns. Once it returns (or throws, which is logged), the event is done for that listener
 * and the other listeners receive it as usual: nothing it does can end delivery.
 */
@FunctionalInterface
public interface CoordinatorErrorHandler {

	/**
	 * Handles a failed call: retry it, record it, or both.
	 * @param call the failed call
	 */
	void handle(FailedListenerCall call);

}
