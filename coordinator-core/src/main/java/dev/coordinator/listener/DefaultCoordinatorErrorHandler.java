package dev.coordinator.listener;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.coordinator.CoordinatorValueException;
import dev.coordinator.InvalidSettingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;

/**
 * Calls a failing listener again with exponential backoff (a Spring {@link RetryTemplate}), then hands the
 * event to a {@link CoordinatorRecoverer}; exceptions that can never succeed on another call are not retried.
 *
 * <p>Retries happen on the reader thread before the next event, so the events of a key keep their order;
 * the wait is bounded, so a failing listener delays the events after it but never stops the node. By default
 * a {@link CoordinatorValueException} (a value the listener cannot read as its type) is not retried.
 */
public class DefaultCoordinatorErrorHandler implements CoordinatorErrorHandler {

	private static final Logger logger = LoggerFactory.getLogger(DefaultCoordinatorErrorHandler.class);

	/** Calls per event by default. */
	public static final int DEFAULT_ATTEMPTS = 3;

	/** Wait after the first failed call by default; doubled after each further one. */
	public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(100);

	/** Longest wait between two calls by default. */
	public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(1);

	private final CoordinatorRecoverer recoverer;

	private final int attempts;

	private final Duration backoff;

	private final Duration maxBackoff;

	private final Set<Class<? extends Throwable>> notRetryable = new LinkedHashSet<>();

	private final LongAdder retries = new LongAdder();

	/**
	 * Creates a handler with the default attempts and backoff.
	 * @param recoverer what to do with an event after the last attempt
	 */
	public DefaultCoordinatorErrorHandler(CoordinatorRecoverer recoverer) {
		this(recoverer, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, DEFAULT_MAX_BACKOFF);
	}

	/**
	 * Creates a handler.
	 * @param recoverer what to do with an event after the last attempt
	 * @param attempts calls per event, the first included (at least 1)
	 * @param backoff wait after the first failed call (0 or more); doubled after each further one
	 * @param maxBackoff longest wait between two calls (at least {@code backoff})
	 */
	public DefaultCoordinatorErrorHandler(CoordinatorRecoverer recoverer, int attempts, Duration backoff,
			Duration maxBackoff) {
		this.recoverer = Objects.requireNonNull(recoverer, "recoverer");
		if (attempts < 1) {
			throw new InvalidSettingException("attempts", attempts,
					"Listener attempts must be at least 1, not " + attempts);
		}
		if (backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
			throw new InvalidSettingException("backoff", backoff,
					"Listener backoff must be 0 or more and at most max backoff (" + maxBackoff + "), not " + backoff);
		}
		this.attempts = attempts;
		this.backoff = backoff;
		this.maxBackoff = maxBackoff;
		this.notRetryable.add(CoordinatorValueException.class);
	}

	/**
	 * Adds exceptions that are handed to the recoverer at once, without further calls (subclasses included).
	 * @param types the exception types
	 */
	@SafeVarargs
	public final void addNotRetryableExceptions(Class<? extends Throwable>... types) {
		this.notRetryable.addAll(Set.of(types));
	}

	/**
	 * Returns how many times a listener is called per event at most.
	 * @return the attempts
	 */
	public int getAttempts() {
		return this.attempts;
	}

	/**
	 * Returns how many times a failed listener call was made again.
	 * @return the retries since this handler was created
	 */
	public long retries() {
		return this.retries.sum();
	}

	@Override
	public void handle(FailedListenerCall call) {
		Throwable first = call.getFailure();
		if (this.attempts == 1 || !isRetryable(first)) {
			this.recoverer.recover(call, first, 1);
			return;
		}
		logger.warn("{} failed (attempt 1 of {}); trying again in {}: {}", call, this.attempts, this.backoff,
				first.toString());
		// The first call already failed: the template's own first call reports that failure, so that the
		// template waits before it calls the listener again.
		AtomicBoolean firstCall = new AtomicBoolean(true);
		Retryable<Void> retry = new Retryable<>() {

			@Override
			public Void execute() throws Throwable {
				if (firstCall.getAndSet(false)) {
					throw first;
				}
				DefaultCoordinatorErrorHandler.this.retries.increment();
				call.retry();
				return null;
			}

			@Override
			public String getName() {
				return call.toString();
			}

		};
		RetryTemplate template = new RetryTemplate(retryPolicy());
		template.setRetryListener(new RetryListener() {

			@Override
			public void onRetryFailure(RetryPolicy policy, Retryable<?> retryable, Throwable failure) {
				logger.warn("{} failed again: {}", call, failure.toString());
			}

		});
		try {
			template.execute(retry);
		}
		catch (RetryException ex) {
			this.recoverer.recover(call, ex.getLastException(), ex.getRetryCount() + 1);
		}
	}

	private RetryPolicy retryPolicy() {
		RetryPolicy.Builder policy = RetryPolicy.builder()
			.maxRetries(this.attempts - 1)
			.delay(this.backoff)
			.multiplier(2)
			.predicate(this::isRetryable);
		if (!this.maxBackoff.isZero()) {
			policy.maxDelay(this.maxBackoff);
		}
		return policy.build();
	}

	private boolean isRetryable(Throwable failure) {
		for (Class<? extends Throwable> type : this.notRetryable) {
			if (type.isInstance(failure)) {
				return false;
			}
		}
		return true;
	}

}
