package dev.coordinator.memory;

import dev.coordinator.CoordinatorContractTests;
import dev.coordinator.listener.CoordinatorListenerFactory;
import dev.coordinator.listener.DefaultCoordinatorErrorHandler;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * The contract on in-memory nodes in plain Spring contexts (no Spring Boot, no server), wired as the
 * auto-configuration wires them: every node of a test on one {@link InMemoryStore}.
 */
class InMemoryCoordinatorContractTests extends CoordinatorContractTests {

	private InMemoryStore store = new InMemoryStore();

	@BeforeEach
	void emptyStore() {
		this.store = new InMemoryStore();
	}

	@Override
	protected ConfigurableApplicationContext startNode(String nodeId, Class<?>... configurations) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		CoordinatorListenerFactory listenerFactory = new CoordinatorListenerFactory();
		context.getBeanFactory().registerSingleton("coordinatorListenerFactory", listenerFactory);
		context.registerBean(InMemoryCoordinator.class, () -> new InMemoryCoordinator(nodeId, this.store, context,
				listenerFactory.getRegistry(), new DefaultCoordinatorErrorHandler(new InMemoryRecoverer(context))));
		context.register(configurations);
		context.refresh();
		return context;
	}

}
