package dev.coordinator.nats;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

import dev.coordinator.CoordinatorEvent;
import dev.coordinator.listener.CoordinatorListenerRegistry;
import dev.coordinator.listener.DefaultCoordinatorErrorHandler;
import dev.coordinator.listener.EventDispatcher;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Starts an {@link EventLogContainer} on a real connection whose JetStream management requests (consumer info,
 * creation, deletion) go through an interceptor, for tests that make the server's answers fail, arrive late or
 * race with deliveries. Every change the container delivers goes to a watch of all keys.
 */
final class InterceptedContainers {

	private InterceptedContainers() {
	}

	/**
	 * Starts a container.
	 * @param connection the connection to the test's server
	 * @param coordinator the node, initialized
	 * @param events where the delivered changes go
	 * @param interceptor what a management request does instead of going straight to the server
	 * @return the started container
	 */
	static EventLogContainer start(Connection connection, NatsCoordinator coordinator,
			Consumer<CoordinatorEvent> events, Interceptor interceptor) throws IOException {
		ApplicationEventPublisher publisher = (event) -> {
		};
		DeadLetterRecoverer deadLetters = new DeadLetterRecoverer(connection, coordinator.getSettings(), publisher);
		deadLetters.afterPropertiesSet();
		coordinator.getWatchRegistry().clear();
		coordinator.watch("/", events);
		EventDispatcher dispatcher = new EventDispatcher(publisher, new CoordinatorListenerRegistry(),
				coordinator.getWatchRegistry(), new DefaultCoordinatorErrorHandler(deadLetters));
		JetStreamManagement real = connection.jetStreamManagement();
		JetStreamManagement intercepted = (JetStreamManagement) Proxy.newProxyInstance(
				InterceptedContainers.class.getClassLoader(), new Class<?>[] { JetStreamManagement.class },
				(proxy, method, args) -> {
					try {
						return interceptor.invoke(real, method, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
		EventLogContainer container = new EventLogContainer(coordinator, dispatcher, deadLetters, () -> intercepted);
		container.afterPropertiesSet();
		container.start();
		return container;
	}

	/**
	 * What a management request does: usually {@code method.invoke(management, args)}, before or after
	 * something else.
	 */
	@FunctionalInterface
	interface Interceptor {

		Object invoke(JetStreamManagement management, Method method, Object[] args) throws Throwable;

	}

}
