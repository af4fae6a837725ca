package dev.coordinator.memory;

import java.util.ArrayList;
import java.util.List;

import dev.coordinator.CoordinatorContractTests;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * The contract on in-memory nodes as Spring Boot configures them with {@code coordinator.backend=in-memory}:
 * contexts of one JVM made a cluster by one {@link InMemoryStore} bean.
 */
class InMemoryBackendContractTests extends CoordinatorContractTests {

	private InMemoryStore store = new InMemoryStore();

	@BeforeEach
	void emptyStore() {
		this.store = new InMemoryStore();
	}

	@Override
	protected ConfigurableApplicationContext startNode(String nodeId, Class<?>... configurations) {
		List<Class<?>> sources = new ArrayList<>(List.of(NodeConfiguration.class));
		sources.addAll(List.of(configurations));
		InMemoryStore shared = this.store;
		return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.initializers((context) -> context.getBeanFactory().registerSingleton("sharedStore", shared))
			.properties("coordinator.backend=in-memory", "coordinator.node-id=" + nodeId)
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class NodeConfiguration {

	}

}
