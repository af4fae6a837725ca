package dev.coordinator;

import java.util.ArrayList;
import java.util.List;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * The contract on NATS nodes: auto-configured Spring Boot contexts against a real nats-server, each test in a
 * namespace of its own (an empty bucket).
 */
class NatsCoordinatorContractTests extends CoordinatorContractTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static int tests;

	private String namespace = "contract";

	@BeforeEach
	void emptyBucket() {
		this.namespace = "contract_" + (++tests);
	}

	@Override
	protected ConfigurableApplicationContext startNode(String nodeId, Class<?>... configurations) {
		List<Class<?>> sources = new ArrayList<>(List.of(NodeConfiguration.class));
		sources.addAll(List.of(configurations));
		return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties("coordinator.nats.servers=" + server.url(), "coordinator.namespace=" + this.namespace,
					"coordinator.node-id=" + nodeId)
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class NodeConfiguration {

	}

}
