package dev.coordinator.autoconfigure;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorJsonCodec;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.json.Jackson3JsonCodec;
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

	@Configuration(proxyBeanMethods = false)
	static class OwnCodec {

		@Bean
		CoordinatorJsonCodec ownCodec() {
			return new Jackson2JsonCodec();
		}

	}

}
