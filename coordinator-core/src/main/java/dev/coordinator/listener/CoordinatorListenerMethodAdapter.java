package dev.coordinator.listener;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.CoordinatorListenerFailedEvent;
import dev.coordinator.CoordinatorSyncedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ApplicationListenerMethodAdapter;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Calls a {@link CoordinatorListener @CoordinatorListener} method for the events whose key starts with its
 * prefix and whose action it lists.
 *
 * <p>A call that throws is made again as the {@link ListenerRetryPolicy} says; after the last attempt a
 * {@link CoordinatorListenerFailedEvent} is published and the exception goes no further, so the other
 * listeners still receive the event. An initial-state listener receives replayed events and then only the
 * changes that the replayed state does not already contain.
 */
public class CoordinatorListenerMethodAdapter extends ApplicationListenerMethodAdapter {

	private static final Logger log = LoggerFactory.getLogger(CoordinatorListenerMethodAdapter.class);

	private final String prefix;

	private final Set<CoordinatorAction> actions;

	private final boolean initialState;

	private final ListenerRetryPolicy retryPolicy;

	private final Consumer<CoordinatorListenerFailedEvent> failures;

	/** Revision up to which the replayed state contains every change, -1 until the first sync. */
	private volatile long syncedRevision = -1;

	/** Revisions of the replayed keys, for the changes that raced with the replay. */
	private final Map<String, Long> replayedRevisions = new ConcurrentHashMap<>();

	private volatile long highestReplayedRevision;

	/**
	 * Creates an adapter that makes one attempt per event and only logs failures.
	 * @param beanName the name of the bean that declares the method
	 * @param targetClass the class of that bean
	 * @param method the annotated method
	 * @throws IllegalStateException when the method or its annotation is not valid
	 */
	public CoordinatorListenerMethodAdapter(String beanName, Class<?> targetClass, Method method) {
		this(beanName, targetClass, method, new ListenerRetryPolicy(1, Duration.ZERO, Duration.ZERO),
				(failure) -> {
				});
	}

	/**
	 * Creates an adapter.
	 * @param beanName the name of the bean that declares the method
	 * @param targetClass the class of that bean
	 * @param method the annotated method
	 * @param retryPolicy how failing calls are retried
	 * @param failures receives the events the listener failed on in every attempt
	 * @throws IllegalStateException when the method or its annotation is not valid
	 */
	public CoordinatorListenerMethodAdapter(String beanName, Class<?> targetClass, Method method,
			ListenerRetryPolicy retryPolicy, Consumer<CoordinatorListenerFailedEvent> failures) {
		super(beanName, targetClass, validated(method));
		CoordinatorListener annotation = annotation(method);
		this.prefix = annotation.prefix();
		this.actions = EnumSet.of(annotation.actions()[0], annotation.actions());
		this.initialState = annotation.initialState();
		this.retryPolicy = retryPolicy;
		this.failures = failures;
	}

	/**
	 * Checks the method before Spring's own checks, so that a mistake is reported in this annotation's terms.
	 */
	private static Method validated(Method method) {
		CoordinatorListener annotation = annotation(method);
		Class<?>[] parameters = method.getParameterTypes();
		if (parameters.length != 1 || !parameters[0].isAssignableFrom(CoordinatorEvent.class)) {
			throw new IllegalStateException("@CoordinatorListener method " + describe(method)
					+ " must take exactly one parameter of type CoordinatorEvent");
		}
		String prefix = annotation.prefix();
		if (!prefix.isEmpty() && !prefix.startsWith("/")) {
			throw new IllegalStateException("@CoordinatorListener method " + describe(method) + " has prefix '" + prefix
					+ "', but keys start with '/', e.g. prefix = \"/nodes/\"");
		}
		if (annotation.actions().length == 0) {
			throw new IllegalStateException("@CoordinatorListener method " + describe(method)
					+ " lists no actions; leave 'actions' out to receive PUT and DELETE");
		}
		return method;
	}

	private static CoordinatorListener annotation(Method method) {
		CoordinatorListener annotation = AnnotatedElementUtils.findMergedAnnotation(method, CoordinatorListener.class);
		if (annotation == null) {
			throw new IllegalStateException("No @CoordinatorListener on " + method);
		}
		return annotation;
	}

	/**
	 * Returns the key prefix this listener receives.
	 * @return the prefix
	 */
	public String getPrefix() {
		return this.prefix;
	}

	/**
	 * Returns the actions this listener receives.
	 * @return the actions
	 */
	public Set<CoordinatorAction> getActions() {
		return this.actions;
	}

	/**
	 * Returns whether this listener receives the initial state.
	 * @return whether it is an initial-state listener
	 */
	public boolean isInitialState() {
		return this.initialState;
	}

	@Override
	public boolean supportsEventType(ResolvableType eventType) {
		return (this.initialState && CoordinatorSyncedEvent.class.isAssignableFrom(eventType.toClass()))
				|| super.supportsEventType(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof CoordinatorSyncedEvent synced) {
			if (this.initialState) {
				this.syncedRevision = synced.getRevision();
			}
			return;
		}
		if (event instanceof CoordinatorEvent coordinatorEvent && matches(coordinatorEvent)
				&& isNew(coordinatorEvent)) {
			invoke(coordinatorEvent);
		}
	}

	private boolean matches(CoordinatorEvent event) {
		return this.actions.contains(event.getAction()) && event.getKey().startsWith(this.prefix);
	}

	/**
	 * Replayed events go to initial-state listeners only; those then skip the changes their state contains.
	 */
	private boolean isNew(CoordinatorEvent event) {
		if (!this.initialState) {
			return !event.isReplay();
		}
		if (event.isReplay()) {
			this.replayedRevisions.put(event.getKey(), event.getRevision());
			this.highestReplayedRevision = Math.max(this.highestReplayedRevision, event.getRevision());
			return true;
		}
		if (event.getRevision() <= this.syncedRevision) {
			return false;
		}
		if (event.getRevision() > this.highestReplayedRevision) {
			this.replayedRevisions.clear();
			return true;
		}
		Long replayed = this.replayedRevisions.get(event.getKey());
		return replayed == null || event.getRevision() > replayed;
	}

	private void invoke(CoordinatorEvent event) {
		ListenerRetryPolicy.Failure failure = this.retryPolicy.call(() -> processEvent(event), (attempt, ex, wait) -> log.warn(
				"@CoordinatorListener {} failed for {} of key '{}' at revision {} (attempt {} of {}); trying again in {}: {}",
				getListenerId(), event.getAction(), event.getKey(), event.getRevision(), attempt,
				this.retryPolicy.attempts(), wait, ex.toString()));
		if (failure != null) {
			log.error("@CoordinatorListener {} failed for {} of key '{}' at revision {} after {} attempt(s); the event is "
					+ "recorded as a dead letter and the other listeners still receive it. Fix the listener and "
					+ "replay the dead letter if needed.", getListenerId(), event.getAction(), event.getKey(),
					event.getRevision(), failure.attempts(), failure.exception());
			this.failures.accept(new CoordinatorListenerFailedEvent(event, getListenerId(), failure.attempts(),
					failure.exception()));
		}
	}

	private static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName();
	}

}
