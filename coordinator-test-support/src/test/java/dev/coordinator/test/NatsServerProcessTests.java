package dev.coordinator.test;

import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link NatsServerProcess} started from a builder with a configuration file.
 */
class NatsServerProcessTests {

	@Test
	void configurationFileIsApplied() throws Exception {
		NatsServerProcess server = NatsServerProcess.builder()
			.config("authorization { token: \"t0ken\" }")
			.arguments("-n", "configured")
			.start();
		try (server) {
			assertThatExceptionOfType(AuthenticationException.class)
				.isThrownBy(() -> Nats.connect(Options.builder().server(server.url()).maxReconnects(0).build()));
			try (Connection connection = Nats.connect(Options.builder().server(server.url()).token("t0ken".toCharArray())
				.build())) {
				assertThat(connection.getServerInfo().getServerName()).isEqualTo("configured");
				assertThat(connection.getServerInfo().isJetStreamAvailable()).isTrue();
			}
		}
		assertThat(server.isRunning()).isFalse();
		assertThat(server.storeDir()).doesNotExist();
	}

	@Test
	void anInvalidConfigurationFailsWithTheServersLog() {
		assertThat(catchThrowable(
				() -> NatsServerProcess.builder().config("authorization { unknown_thing }}").start()))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("nats-server exited");
	}

}
