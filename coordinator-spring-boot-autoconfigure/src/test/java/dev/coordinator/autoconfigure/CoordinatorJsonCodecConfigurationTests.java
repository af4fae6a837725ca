package dev.coordinator.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorJsonCodec;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.json.Jackson3JsonCodec;
import dev.coordinator.memory.InMemoryCoordinator;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which JSON codec the coordinator gets: {@code coordinator.json}, or the application's own.
 */
class CoordinatorJsonCodecConfigurationTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class))
		.withPropertyValues("coordinator.nats.servers=" + server.url());

	@Test
	void jackson2ByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(CoordinatorJsonCodec.class);
			assertThat(context.getBean(CoordinatorJsonCodec.class)).isInstanceOf(Jackson2JsonCodec.class);
			assertThat(context.getBean(Coordinator.class).jsonCodec())
				.isSameAs(context.getBean(CoordinatorJsonCodec.class));
		});
	}

	@Test
	void jackson3WhenChosen() {
		this.contextRunner.withPropertyValues("coordinator.json=jackson3").run((context) -> {
			assertThat(context.getBean(CoordinatorJsonCodec.class)).isInstanceOf(Jackson3JsonCodec.class);
			assertThat(context.getBean(Coordinator.class).jsonCodec())
				.isSameAs(context.getBean(CoordinatorJsonCodec.class));
		});
	}

	@Test
	void theInMemoryBackendUsesTheCodecToo() {
		this.contextRunner.withPropertyValues("coordinator.backend=in-memory", "coordinator.json=jackson3")
			.run((context) -> {
				Coordinator coordinator = context.getBean(Coordinator.class);
				assertThat(coordinator).isInstanceOf(InMemoryCoordinator.class);
				assertThat(coordinator.jsonCodec()).isSameAs(context.getBean(CoordinatorJsonCodec.class))
					.isInstanceOf(Jackson3JsonCodec.class);
				coordinator.putJson("/values/a", new Value("a", Instant.parse("2025-01-31T10:15:30Z")));
				assertThat(new String(coordinator.get("/values/a").orElseThrow().value(), StandardCharsets.UTF_8))
					.isEqualTo("{\"name\":\"a\",\"at\":\"2025-01-31T10:15:30Z\"}");
				assertThat(coordinator.list("/values/")).singleElement()
					.satisfies((entry) -> assertThat(entry.valueAs(Value.class).name()).isEqualTo("a"));
			});
	}

	@Test
	void jackson3WithoutJackson3FailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("coordinator.json=jackson3")
			.withClassLoader(new FilteredClassLoader("tools.jackson"))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("coordinator.json")
				.hasMessageContaining("tools.jackson.core:jackson-databind"));
	}

	@Test
	void theApplicationsCodecReplacesTheLibrarys() {
		this.contextRunner.withUserConfiguration(OwnCodec.class).withPropertyValues("coordinator.json=jackson3")
			.run((context) -> {
				assertThat(context).hasSingleBean(CoordinatorJsonCodec.class);
				assertThat(context.getBean(Coordinator.class).jsonCodec()).isSameAs(context.getBean("ownCodec"));
			});
	}

	record Value(String name, Instant at) {
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnCodec {

		@Bean
		CoordinatorJsonCodec ownCodec() {
			return new Jackson2JsonCodec();
		}

	}

}
