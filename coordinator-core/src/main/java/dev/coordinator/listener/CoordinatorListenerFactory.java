package dev.coordinator.listener;

import java.lang.reflect.Method;

import dev.coordinator.CoordinatorListener;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.EventListenerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Turns {@link CoordinatorListener @CoordinatorListener} methods into {@link CoordinatorListenerMethodAdapter}s
 * and records them in its {@link CoordinatorListenerRegistry}. Ordered before Spring's default factory, which
 * would otherwise claim them as plain {@code @EventListener}s.
 */
public class CoordinatorListenerFactory implements EventListenerFactory, BeanFactoryAware, Ordered {

	/** Order of this factory: before Spring's default factory and its transactional one (50). */
	public static final int ORDER = 40;

	private final CoordinatorListenerRegistry registry = new CoordinatorListenerRegistry();

	private @Nullable BeanFactory beanFactory;

	/**
	 * Sets the bean factory the listeners' beans come from, so that a listener of a singleton bean looks the bean
	 * up once rather than on every event.
	 * @param beanFactory the bean factory
	 */
	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * Returns the listeners created so far.
	 * @return the registry
	 */
	public CoordinatorListenerRegistry getRegistry() {
		return this.registry;
	}

	@Override
	public boolean supportsMethod(Method method) {
		return AnnotatedElementUtils.hasAnnotation(method, CoordinatorListener.class);
	}

	@Override
	public ApplicationListener<?> createApplicationListener(String beanName, Class<?> type, Method method) {
		CoordinatorListenerMethodAdapter adapter = new CoordinatorListenerMethodAdapter(beanName, type, method);
		adapter.setBeanFactory(this.beanFactory);
		this.registry.register(adapter);
		return adapter;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
