package dev.coordinator.memory;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

import dev.coordinator.CoordinatorListenerFailedEvent;
import dev.coordinator.listener.CoordinatorRecoverer;
import dev.coordinator.listener.FailedListenerCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;

/**
 * What the default error handler does with a listener call given up on an in-memory coordinator: it logs the
 * failure and publishes a {@link CoordinatorListenerFailedEvent}, as the NATS backend does, but records no dead
 * letter (there is no stream to record it in).
 */
public class InMemoryRecoverer implements CoordinatorRecoverer {

	private static final Logger logger = LoggerFactory.getLogger(InMemoryRecoverer.class);

	private final ApplicationEventPublisher publisher;

	private final LongAdder recovered = new LongAdder();

	/**
	 * Creates a recoverer.
	 * @param publisher where {@link CoordinatorListenerFailedEvent}s are published
	 */
	public InMemoryRecoverer(ApplicationEventPublisher publisher) {
		this.publisher = Objects.requireNonNull(publisher, "publisher");
	}

	/**
	 * Returns how many listener calls were given up.
	 * @return the count
	 */
	public long recovered() {
		return this.recovered.sum();
	}

	@Override
	public void recover(FailedListenerCall call, Throwable lastFailure, int attempts) {
		this.recovered.increment();
		logger.error("{} failed after {} attempt(s); the event is given up for that listener (the in-memory backend "
				+ "keeps no dead letters) and the other listeners still receive it", call, attempts, lastFailure);
		try {
			this.publisher.publishEvent(new CoordinatorListenerFailedEvent(call.getEvent(), call.getListenerId(),
					attempts, lastFailure));
		}
		catch (Throwable ex) {
			logger.error("A listener of CoordinatorListenerFailedEvent threw; delivery goes on", ex);
		}
	}

}
