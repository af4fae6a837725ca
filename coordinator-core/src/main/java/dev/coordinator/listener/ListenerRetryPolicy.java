package dev.coordinator.listener;

import java.time.Duration;

import dev.coordinator.CoordinatorValueException;

import org.jspecify.annotations.Nullable;

/**
 * How often a failing listener is called for one event, and how long to wait in between. Retries happen on
 * the coordinator's thread before the next event, so events of a key keep their order; the wait is bounded,
 * so a failing listener delays the events after it but never blocks the node.
 *
 * @param attempts calls per event, at least 1
 * @param backoff wait after the first failed call; doubled after each further one
 * @param maxBackoff longest wait between two calls
 */
public record ListenerRetryPolicy(int attempts, Duration backoff, Duration maxBackoff) {

	/** 3 attempts, waiting 100 ms then 200 ms. */
	public static final ListenerRetryPolicy DEFAULTS = new ListenerRetryPolicy(3, Duration.ofMillis(100),
			Duration.ofSeconds(1));

	/**
	 * Creates a policy.
	 * @param attempts calls per event
	 * @param backoff first wait
	 * @param maxBackoff longest wait
	 */
	public ListenerRetryPolicy {
		if (attempts < 1) {
			throw new IllegalArgumentException("Listener attempts must be at least 1, not " + attempts);
		}
		if (backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
			throw new IllegalArgumentException("Listener backoff must be 0 or more and at most max backoff ("
					+ maxBackoff + "), not " + backoff);
		}
	}

	/**
	 * Calls an action until it succeeds or the attempts are used up. A {@link CoordinatorValueException} (a
	 * value that cannot be read as the listener's type) ends the attempts at once.
	 * @param action the listener call
	 * @param onRetry told of each failure that is followed by another attempt
	 * @return {@code null} when a call succeeded, else how the calls failed
	 */
	public @Nullable Failure call(Runnable action, RetryListener onRetry) {
		Duration wait = this.backoff;
		for (int attempt = 1;; attempt++) {
			try {
				action.run();
				return null;
			}
			catch (RuntimeException | LinkageError | AssertionError ex) {
				if (attempt >= this.attempts || ex instanceof CoordinatorValueException) {
					return new Failure(ex, attempt);
				}
				onRetry.failed(attempt, ex, wait);
				if (!pause(wait)) {
					return new Failure(ex, attempt);
				}
				wait = min(wait.multipliedBy(2), this.maxBackoff);
			}
		}
	}

	private static boolean pause(Duration wait) {
		try {
			Thread.sleep(wait.toMillis());
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	/**
	 * Calls that all failed.
	 *
	 * @param exception the exception of the last call
	 * @param attempts how many calls were made
	 */
	public record Failure(Throwable exception, int attempts) {
	}

	/**
	 * Told of a failed call that is followed by another.
	 */
	@FunctionalInterface
	public interface RetryListener {

		/**
		 * A call failed and will be made again.
		 * @param attempt the number of the failed call, from 1
		 * @param failure its exception
		 * @param wait how long until the next call
		 */
		void failed(int attempt, Throwable failure, Duration wait);

	}

}
