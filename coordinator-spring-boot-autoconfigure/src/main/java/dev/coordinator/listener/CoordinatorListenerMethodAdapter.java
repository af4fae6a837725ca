package dev.coordinator.listener;

import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.Set;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ApplicationListenerMethodAdapter;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Calls a {@link CoordinatorListener @CoordinatorListener} method for the events whose key starts with its
 * prefix and whose action it lists. An exception thrown by the method is logged with the event's key and
 * revision and goes no further, so the other listeners still receive the event.
 */
public class CoordinatorListenerMethodAdapter extends ApplicationListenerMethodAdapter {

	private static final Logger log = LoggerFactory.getLogger(CoordinatorListenerMethodAdapter.class);

	private final String prefix;

	private final Set<CoordinatorAction> actions;

	/**
	 * Creates an adapter.
	 * @param beanName the name of the bean that declares the method
	 * @param targetClass the class of that bean
	 * @param method the annotated method
	 * @throws IllegalStateException when the method or its annotation is not valid
	 */
	public CoordinatorListenerMethodAdapter(String beanName, Class<?> targetClass, Method method) {
		super(beanName, targetClass, validated(method));
		CoordinatorListener annotation = annotation(method);
		this.prefix = annotation.prefix();
		this.actions = EnumSet.of(annotation.actions()[0], annotation.actions());
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

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof CoordinatorEvent coordinatorEvent && matches(coordinatorEvent)) {
			try {
				processEvent(event);
			}
			catch (RuntimeException | LinkageError | AssertionError ex) {
				log.error("@CoordinatorListener {} failed for {} of key '{}' at revision {}; the other listeners still "
						+ "receive the event. Fix the listener or catch the exception in it.", getListenerId(),
						coordinatorEvent.getAction(), coordinatorEvent.getKey(), coordinatorEvent.getRevision(), ex);
			}
		}
	}

	private boolean matches(CoordinatorEvent event) {
		return this.actions.contains(event.getAction()) && event.getKey().startsWith(this.prefix);
	}

	private static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName();
	}

}
