package dev.coordinator.listener;

import java.lang.reflect.Method;
import java.util.Objects;

import dev.coordinator.CoordinatorListener;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.EventListenerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Turns {@link CoordinatorListener @CoordinatorListener} methods into {@link CoordinatorListenerMethodAdapter}s.
 * Ordered before Spring's default factory, which would otherwise claim them as plain {@code @EventListener}s.
 */
public class CoordinatorListenerFactory implements EventListenerFactory, ApplicationEventPublisherAware, Ordered {

	/** Order of this factory: before Spring's default factory and its transactional one (50). */
	public static final int ORDER = 40;

	private final ListenerRetryPolicy retryPolicy;

	private final InitialStateRegistry initialState = new InitialStateRegistry();

	private ApplicationEventPublisher publisher = (event) -> {
	};

	/**
	 * Creates a factory whose listeners retry with the {@link ListenerRetryPolicy#DEFAULTS default policy}.
	 */
	public CoordinatorListenerFactory() {
		this(ListenerRetryPolicy.DEFAULTS);
	}

	/**
	 * Creates a factory.
	 * @param retryPolicy how failing listeners are retried
	 */
	public CoordinatorListenerFactory(ListenerRetryPolicy retryPolicy) {
		this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	/**
	 * Returns the prefixes of the listeners created so far that asked for initial state.
	 * @return the registry of initial-state prefixes
	 */
	public InitialStateRegistry getInitialState() {
		return this.initialState;
	}

	@Override
	public boolean supportsMethod(Method method) {
		return AnnotatedElementUtils.hasAnnotation(method, CoordinatorListener.class);
	}

	@Override
	public ApplicationListener<?> createApplicationListener(String beanName, Class<?> type, Method method) {
		CoordinatorListenerMethodAdapter adapter = new CoordinatorListenerMethodAdapter(beanName, type, method,
				this.retryPolicy, (event) -> this.publisher.publishEvent(event));
		if (adapter.isInitialState()) {
			this.initialState.add(adapter.getPrefix());
		}
		return adapter;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
