package com.example.coordinator.sample;

import dev.coordinator.Coordinator;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two sample nodes on a real nats-server see each other join and leave.
 */
class SampleApplicationTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	@Test
	void nodesSeeEachOtherJoinAndLeave() {
		try (ConfigurableApplicationContext first = node("sample-1", "hello")) {
			ClusterView firstView = first.getBean(ClusterView.class);
			await().until(() -> firstView.members().contains("sample-1"));
			try (ConfigurableApplicationContext second = node("sample-2", null)) {
				ClusterView secondView = second.getBean(ClusterView.class);
				await().until(() -> firstView.members().contains("sample-2"));
				// The second node learns of the first from the stored state, not from an event.
				await().until(() -> secondView.members().containsAll(java.util.List.of("sample-1", "sample-2")));
				assertThat(second.getBean(Coordinator.class).get("/config/greeting")).hasValueSatisfying(
						(entry) -> assertThat(new String(entry.value())).isEqualTo("hello"));
			}
			await().until(() -> !firstView.members().contains("sample-2"));
			assertThat(firstView.members()).containsExactly("sample-1");
		}
	}

	private static ConfigurableApplicationContext node(String nodeId, String greeting) {
		SpringApplicationBuilder builder = new SpringApplicationBuilder(SampleApplication.class)
			.web(WebApplicationType.NONE)
			.properties("NATS_URL=" + server.url(), "NODE_ID=" + nodeId);
		if (greeting != null) {
			builder.properties("sample.greeting=" + greeting);
		}
		return builder.run();
	}

}
