package dev.coordinator.listener;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.observation.CoordinatorListenerContext;
import dev.coordinator.observation.CoordinatorListenerObservationConvention;
import dev.coordinator.observation.CoordinatorObservation;
import dev.coordinator.observation.DefaultCoordinatorListenerObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Hands each event to its listeners, on the calling (reader) thread, and returns only when they are done, so
 * that the caller may acknowledge it: first the matching
 * {@link dev.coordinator.CoordinatorListener @CoordinatorListener} methods in {@code @Order} order, then the
 * application context (plain {@code @EventListener} methods), then the {@link dev.coordinator.Coordinator#watch
 * watch} handlers. Initial-state listeners receive replayed state, then only the changes it lacks, as the
 * {@link InitialStateTracker} decides.
 *
 * <p>Nothing a listener throws escapes: a failing {@code @CoordinatorListener} method or watch handler goes to
 * the {@link CoordinatorErrorHandler}, and whatever a context listener or the error handler itself throws is
 * logged and counted.
 *
 * <p>With an {@link ObservationRegistry}, each call of a {@code @CoordinatorListener} method or watch handler (each
 * retry too) runs in a {@link CoordinatorObservation#LISTENER coordinator.listener} observation whose parent is
 * the writer's span.
 */
public class EventDispatcher {

	private static final Logger logger = LoggerFactory.getLogger(EventDispatcher.class);

	private final ApplicationEventPublisher publisher;

	private final CoordinatorListenerRegistry listeners;

	private final WatchRegistry watches;

	private final CoordinatorErrorHandler errorHandler;

	private final InitialStateTracker initialState = new InitialStateTracker();

	private final LongAdder unexpected = new LongAdder();

	private final LongAdder failedCalls = new LongAdder();

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private @Nullable CoordinatorListenerObservationConvention observationConvention;

	/**
	 * Creates a dispatcher, which takes the listeners over from the application's event multicaster.
	 * @param publisher the application context, for plain listeners and lifecycle events
	 * @param listeners the {@code @CoordinatorListener} methods
	 * @param watches the watch registrations
	 * @param errorHandler handles failing listener calls
	 */
	public EventDispatcher(ApplicationEventPublisher publisher, CoordinatorListenerRegistry listeners,
			WatchRegistry watches, CoordinatorErrorHandler errorHandler) {
		this.publisher = Objects.requireNonNull(publisher, "publisher");
		this.listeners = Objects.requireNonNull(listeners, "listeners");
		listeners.dispatched();
		this.watches = Objects.requireNonNull(watches, "watches");
		this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
	}

	/**
	 * Sets the registry that observes listener calls; {@link ObservationRegistry#NOOP} (the default) observes none.
	 * @param observationRegistry the registry
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
	}

	/**
	 * Sets the convention of listener observations, instead of
	 * {@link DefaultCoordinatorListenerObservationConvention}.
	 * @param observationConvention the convention, or {@code null} for the default
	 */
	public void setObservationConvention(@Nullable CoordinatorListenerObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
	}

	/**
	 * Returns what the initial-state listeners hold.
	 * @return the tracker
	 */
	public InitialStateTracker initialState() {
		return this.initialState;
	}

	/**
	 * Returns the prefixes of the initial-state listeners registered now.
	 * @return the prefixes
	 */
	public Set<String> initialStatePrefixes() {
		return this.listeners.initialStatePrefixes();
	}

	/**
	 * Returns how many failures outside listener retries (context listeners, the error handler) were logged.
	 * @return the count
	 */
	public long unexpectedFailures() {
		return this.unexpected.sum();
	}

	/**
	 * Returns how many listener calls threw (first attempts; the error handler's retries are not counted).
	 * @return the count
	 */
	public long failedCalls() {
		return this.failedCalls.sum();
	}

	/**
	 * Delivers a change read from the log to every listener that receives it.
	 * @param event the change
	 */
	public void dispatch(CoordinatorEvent event) {
		boolean tracked = this.initialState.covers(event.getKey());
		boolean initialStateNeeds = tracked && this.initialState.needs(event.getKey(), event.getRevision());
		for (CoordinatorListenerMethodAdapter listener : this.listeners.listeners()) {
			if (listener.matches(event) && (!listener.isInitialState() || initialStateNeeds)) {
				invoke(listener.getListenerId(), event, () -> listener.deliver(event));
			}
		}
		publish(event);
		List<WatchRegistry.Watch> matching = this.watches.matching(event.getKey());
		for (WatchRegistry.Watch watch : matching) {
			invoke("watch:" + watch.prefix(), event, () -> watch.deliver(event));
		}
		if (tracked) {
			this.initialState.apply(event.getKey(), event.getAction(), event.getRevision());
		}
	}

	/**
	 * Records a silent change (written with {@code notify = false}): no listener receives it, but what the
	 * initial-state listeners hold is now older than the store.
	 * @param key the key
	 * @param action what happened
	 * @param revision its revision
	 */
	public void silent(String key, CoordinatorAction action, long revision) {
		this.initialState.apply(key, action, revision);
	}

	/**
	 * Delivers replayed state to the initial-state listeners whose prefix matches.
	 * @param event a replayed entry or deletion
	 */
	public void replay(CoordinatorEvent event) {
		for (CoordinatorListenerMethodAdapter listener : this.listeners.listeners()) {
			if (listener.isInitialState() && listener.matches(event)) {
				invoke(listener.getListenerId(), event, () -> listener.deliver(event));
			}
		}
	}

	/**
	 * Publishes an event to the application context; whatever its listeners throw is logged, not thrown.
	 * @param event the event
	 */
	public void publish(ApplicationEvent event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (Throwable ex) {
			this.unexpected.increment();
			logger.error("A listener of {} threw; the coordinator goes on delivering, but that listener and those "
					+ "after it in order did not receive this event. Catch exceptions in @EventListener methods, or "
					+ "use @CoordinatorListener, whose failures are retried and isolated.", describe(event), ex);
		}
	}

	private void invoke(String listenerId, CoordinatorEvent event, Runnable listenerCall) {
		Runnable call = observed(listenerId, event, listenerCall);
		try {
			call.run();
		}
		catch (Throwable failure) {
			this.failedCalls.increment();
			FailedListenerCall failed = new FailedListenerCall(listenerId, event, failure, call);
			try {
				this.errorHandler.handle(failed);
			}
			catch (Throwable ex) {
				this.unexpected.increment();
				logger.error("The error handler threw while handling {}; the event is done for that listener and "
						+ "delivery goes on", failed, ex);
			}
		}
	}

	/**
	 * The call in an observation of its own, each time it runs (retries by the error handler included).
	 */
	private Runnable observed(String listenerId, CoordinatorEvent event, Runnable call) {
		ObservationRegistry registry = this.observationRegistry;
		if (registry.isNoop()) {
			return call;
		}
		return () -> CoordinatorObservation.LISTENER
			.observation(this.observationConvention, DefaultCoordinatorListenerObservationConvention.INSTANCE,
					() -> new CoordinatorListenerContext(event, listenerId), registry)
			.observe(call);
	}

	private static String describe(ApplicationEvent event) {
		if (event instanceof CoordinatorEvent change) {
			return change.getAction() + " of key '" + change.getKey() + "' at revision " + change.getRevision();
		}
		return event.getClass().getSimpleName();
	}

}
