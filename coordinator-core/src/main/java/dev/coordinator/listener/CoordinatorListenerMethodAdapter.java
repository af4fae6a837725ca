package dev.coordinator.listener;

import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.Set;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ApplicationListenerMethodAdapter;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * A {@link CoordinatorListener @CoordinatorListener} method: which events it receives (key prefix, actions,
 * initial state) and how to call it.
 *
 * <p>It is registered with the application context like any {@code @EventListener} (so {@code @Order},
 * {@code @Async}, {@code condition} and AOT work as usual), but while a coordinator runs the multicaster never
 * calls it: the {@link EventDispatcher} does, on the coordinator's reader thread, so that an event is
 * acknowledged only after its listeners returned, whatever multicaster the application uses. Failures go to the
 * {@link CoordinatorErrorHandler}. When no dispatcher took its {@link CoordinatorListenerRegistry registry} over
 * (the coordinator is disabled, or the application's own {@code Coordinator} publishes events itself), the
 * multicaster calls it with the {@link CoordinatorEvent}s published in the application, and it keeps its
 * filtering: key prefix, actions, and replayed events for initial-state listeners only.
 */
public class CoordinatorListenerMethodAdapter extends ApplicationListenerMethodAdapter {

	private final String beanName;

	private final Method method;

	private final String prefix;

	private final Set<CoordinatorAction> actions;

	private final boolean initialState;

	private volatile @Nullable CoordinatorListenerRegistry registry;

	private @Nullable BeanFactory beanFactory;

	/** The bean, once looked up, when it is a singleton. */
	private volatile @Nullable Object singletonTarget;

	/**
	 * Creates an adapter.
	 * @param beanName the name of the bean that declares the method
	 * @param targetClass the class of that bean
	 * @param method the annotated method
	 * @throws IllegalStateException when the method or its annotation is not valid
	 */
	public CoordinatorListenerMethodAdapter(String beanName, Class<?> targetClass, Method method) {
		super(beanName, targetClass, validated(method));
		this.beanName = beanName;
		this.method = method;
		CoordinatorListener annotation = annotation(method);
		this.prefix = annotation.prefix();
		this.actions = EnumSet.of(annotation.actions()[0], annotation.actions());
		this.initialState = annotation.initialState();
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
	 * Returns the name of the bean that declares the method.
	 * @return the bean name
	 */
	public String getBeanName() {
		return this.beanName;
	}

	/**
	 * Returns the annotated method.
	 * @return the method
	 */
	public Method getMethod() {
		return this.method;
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

	/**
	 * Sets the registry this listener belongs to, which knows whether a dispatcher calls it.
	 * @param registry the registry
	 */
	void setRegistry(CoordinatorListenerRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Sets the bean factory that tells whether the bean is a singleton, which is then looked up only once.
	 * @param beanFactory the bean factory, or {@code null} to look the bean up on every call
	 */
	void setBeanFactory(@Nullable BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * Returns the bean to call: for a singleton, the one looked up first (a listener is called for every event,
	 * and a lookup by name costs more than many listeners do); for other scopes, the one the factory gives now.
	 */
	@Override
	protected Object getTargetBean() {
		Object target = this.singletonTarget;
		if (target != null) {
			return target;
		}
		target = super.getTargetBean();
		BeanFactory factory = this.beanFactory;
		if (factory != null && factory.isSingleton(this.beanName)) {
			this.singletonTarget = target;
		}
		return target;
	}

	/**
	 * Handles an event published through the application context: ignored while an {@link EventDispatcher} calls
	 * this listener (never delivered twice), otherwise delivered when it {@link #matches matches}.
	 */
	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		CoordinatorListenerRegistry current = this.registry;
		if (current != null && current.isDispatched()) {
			return;
		}
		if (event instanceof CoordinatorEvent change && matches(change) && (this.initialState || !change.isReplay())) {
			processEvent(change);
		}
	}

	/**
	 * Returns whether this listener receives an event: its key starts with the prefix and its action is
	 * listed.
	 * @param event the event
	 * @return whether it matches
	 */
	public boolean matches(CoordinatorEvent event) {
		return this.actions.contains(event.getAction()) && event.getKey().startsWith(this.prefix);
	}

	/**
	 * Calls the method with an event, on the calling thread (or hands it to the executor of an
	 * {@code @Async} method).
	 * @param event the event
	 * @throws RuntimeException whatever the method throws
	 */
	public void deliver(CoordinatorEvent event) {
		processEvent(event);
	}

	private static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName();
	}

}
