package dev.coordinator.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.autoconfigure.NatsConnectionException.Reason;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static dev.coordinator.autoconfigure.SecretAssertions.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS through Spring Boot SSL bundles against real nats-servers with certificates made by {@code keytool} at
 * test time: mutual TLS, host names verified (also those a cluster advertises), and each rejection explained.
 */
@ExtendWith(OutputCaptureExtension.class)
class NatsTlsTests {

	@TempDir
	static Path dir;

	private static TestCertificates certificates;

	private static NatsServerProcess server;

	private static String clientKey;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, CoordinatorAutoConfiguration.class))
		.withPropertyValues("coordinator.node-id=n1", "coordinator.nats.connection-timeout=2s",
				"spring.ssl.bundle.pem.nats.truststore.certificate=file:" + dir.resolve("test-ca.crt"),
				"spring.ssl.bundle.pem.nats.keystore.certificate=file:" + dir.resolve("client.crt"),
				"spring.ssl.bundle.pem.nats.keystore.private-key=file:" + dir.resolve("client.key"),
				"spring.ssl.bundle.pem.other-ca.truststore.certificate=file:" + dir.resolve("other-ca.crt"),
				"spring.ssl.bundle.pem.other-ca.keystore.certificate=file:" + dir.resolve("client.crt"),
				"spring.ssl.bundle.pem.other-ca.keystore.private-key=file:" + dir.resolve("client.key"),
				"spring.ssl.bundle.pem.no-client-key.truststore.certificate=file:" + dir.resolve("test-ca.crt"));

	@BeforeAll
	static void startServer() throws Exception {
		SecretAssertions.logEverything();
		certificates = TestCertificates.in(dir);
		certificates.authority("test-ca");
		certificates.authority("other-ca");
		certificates.issue("server", "test-ca", "serverAuth", "dns:localhost");
		certificates.issue("client", "test-ca", "clientAuth");
		clientKey = Files.readAllLines(certificates.key("client")).get(1);
		server = NatsServerProcess.builder().config(tlsConfig()).start();
	}

	@AfterAll
	static void stopServer() {
		SecretAssertions.restoreLogLevels();
		if (server != null) {
			server.close();
		}
	}

	private static String tlsConfig() {
		return "tls {\n  cert_file: \"" + certificates.certificate("server") + "\"\n  key_file: \""
				+ certificates.key("server") + "\"\n  ca_file: \"" + certificates.certificate("test-ca")
				+ "\"\n  verify: true\n}\n";
	}

	private static String url(String scheme, String host) {
		return scheme + "://" + host + ":" + server.port();
	}

	@Test
	void mutualTlsWithAnSslBundle(CapturedOutput output) {
		// A bundle makes the connection use TLS whatever the URL's scheme.
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + url("nats", "localhost"), "coordinator.nats.ssl.bundle=nats")
			.run((context) -> {
				assertWorks(context);
				assertThat(context.getBean(Connection.class).getOptions().getSslContext()).isNotNull();
			});
		assertThat(output.getAll()).doesNotContain(clientKey);
	}

	@Test
	void connectionDetailsSupplyTheSslBundle() {
		SslBundle bundle = SslBundle.of(new PemSslStoreBundle(
				PemSslStoreDetails.forCertificate("file:" + certificates.certificate("client"))
					.withPrivateKey("file:" + certificates.key("client")),
				PemSslStoreDetails.forCertificate("file:" + certificates.certificate("test-ca"))));
		this.contextRunner.withBean(CoordinatorConnectionDetails.class, () -> new CoordinatorConnectionDetails() {

			@Override
			public List<String> getServers() {
				return List.of(url("tls", "localhost"));
			}

			@Override
			public SslBundle getSslBundle() {
				return bundle;
			}

		}).run(NatsTlsTests::assertWorks);
	}

	@Test
	void anUntrustedServerCertificateIsExplained(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + url("tls", "localhost"), "coordinator.nats.ssl.bundle=other-ca")
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.UNTRUSTED_CERTIFICATE);
				assertThat(analysis.getDescription()).contains("does not trust").contains("CN=server")
					.contains("issued by CN=test-ca");
				assertThat(analysis.getAction()).contains("coordinator.nats.ssl.bundle").contains("truststore");
				assertNoSecret(context.getStartupFailure(), analysis, output, clientKey);
			});
	}

	@Test
	void aTlsUrlWithoutABundleUsesTheJvmTrustStore() {
		this.contextRunner.withPropertyValues("coordinator.nats.servers=" + url("tls", "localhost"))
			.run((context) -> assertFails(context, Reason.UNTRUSTED_CERTIFICATE));
	}

	@Test
	void aCertificateForAnotherHostNameIsRejected(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + url("tls", "127.0.0.1"), "coordinator.nats.ssl.bundle=nats")
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.HOST_NAME_MISMATCH);
				assertThat(analysis.getDescription()).contains("[DNS:localhost]").contains("'127.0.0.1'");
				assertThat(analysis.getAction()).contains("coordinator.nats.servers").contains("client_advertise");
				assertNoSecret(context.getStartupFailure(), analysis, output, clientKey);
			});
	}

	@Test
	void aMissingClientCertificateIsExplained(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + url("tls", "localhost"),
					"coordinator.nats.ssl.bundle=no-client-key")
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.CLIENT_CERTIFICATE_REJECTED);
				assertThat(analysis.getDescription()).contains("requires a client certificate")
					.contains("asked for a client certificate issued by [CN=test-ca]");
				assertThat(analysis.getAction()).contains("keystore");
				assertNoSecret(context.getStartupFailure(), analysis, output, clientKey);
			});
	}

	@Test
	void aPlainConnectionToATlsServerSaysToUseTls() {
		this.contextRunner.withPropertyValues("coordinator.nats.servers=" + url("nats", "localhost")).run((context) -> {
			FailureAnalysis analysis = assertFails(context, Reason.TLS_MISMATCH);
			assertThat(analysis.getAction()).contains("coordinator.nats.ssl.bundle");
		});
	}

	@Test
	void anUnknownBundleFailsNamingThePropertyAndTheValue() {
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + url("tls", "localhost"), "coordinator.nats.ssl.bundle=nope")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("coordinator.nats.ssl.bundle")
				.hasMessageContaining("'nope'")
				.hasMessageContaining("spring.ssl.bundle.pem.nope"));
	}

	@Test
	void theHostNamesAClusterAdvertisesAreVerified(CapturedOutput output) throws Exception {
		int[] ports = { NatsServerProcess.freePort(), NatsServerProcess.freePort() };
		int[] routes = { NatsServerProcess.freePort(), NatsServerProcess.freePort() };
		// The second server advertises an address its certificate does not name.
		try (NatsServerProcess first = clusterMember(0, ports, routes, "localhost");
				NatsServerProcess second = clusterMember(1, ports, routes, "127.0.0.1")) {
			CoordinatorProperties.Nats properties = new CoordinatorProperties().getNats();
			properties.setServers(List.of("tls://localhost:" + ports[0]));
			properties.setReconnectWait(Duration.ofMillis(100));
			properties.getSsl().setBundle("nats");
			try (Connection connection = NatsConnectionFactory.connect(properties, new CoordinatorConnectionDetails() {

				@Override
				public List<String> getServers() {
					return properties.getServers();
				}

				@Override
				public SslBundle getSslBundle() {
					return bundle();
				}

			}, "cluster-client", List.of())) {
				await().atMost(Duration.ofSeconds(20))
					.until(() -> connection.getServers().stream().anyMatch((url) -> url.contains(":" + ports[1])));
				first.stop();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> output.getAll().contains("TLS with a NATS server failed"));
				assertThat(output.getAll()).contains("valid for [DNS:localhost], not for the host connected to, '127.0.0.1'");
				assertThat(connection.getStatus()).isNotEqualTo(Connection.Status.CONNECTED);
				// Once the server is back, the client returns to it.
				first.restart();
				await().atMost(Duration.ofSeconds(20)).until(() -> connection.getStatus() == Connection.Status.CONNECTED);
				assertThat(connection.getConnectedUrl()).contains("localhost:" + ports[0]);
			}
		}
	}

	@Test
	void aClusterServerAdvertisingANameItsCertificateHoldsIsUsed() throws Exception {
		int[] ports = { NatsServerProcess.freePort(), NatsServerProcess.freePort() };
		int[] routes = { NatsServerProcess.freePort(), NatsServerProcess.freePort() };
		try (NatsServerProcess first = clusterMember(0, ports, routes, "localhost");
				NatsServerProcess second = clusterMember(1, ports, routes, "localhost")) {
			CoordinatorProperties.Nats properties = new CoordinatorProperties().getNats();
			properties.setServers(List.of("tls://localhost:" + ports[0]));
			properties.setReconnectWait(Duration.ofMillis(100));
			try (Connection connection = NatsConnectionFactory.connect(properties, new CoordinatorConnectionDetails() {

				@Override
				public List<String> getServers() {
					return properties.getServers();
				}

				@Override
				public SslBundle getSslBundle() {
					return bundle();
				}

			}, "cluster-client", List.of())) {
				await().atMost(Duration.ofSeconds(20))
					.until(() -> connection.getServers().stream().anyMatch((url) -> url.contains(":" + ports[1])));
				first.stop();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> connection.getStatus() == Connection.Status.CONNECTED
							&& connection.getConnectedUrl().contains(":" + ports[1]));
			}
		}
	}

	private static SslBundle bundle() {
		return SslBundle.of(new PemSslStoreBundle(
				PemSslStoreDetails.forCertificate("file:" + certificates.certificate("client"))
					.withPrivateKey("file:" + certificates.key("client")),
				PemSslStoreDetails.forCertificate("file:" + certificates.certificate("test-ca"))));
	}

	private static NatsServerProcess clusterMember(int index, int[] ports, int[] routes, String advertisedHost) {
		int other = 1 - index;
		return NatsServerProcess.builder()
			.port(ports[index])
			.config(tlsConfig())
			.arguments("-n", "tls-s" + index, "--cluster_name", "tls", "--cluster", "nats://127.0.0.1:" + routes[index],
					"--routes", "nats://127.0.0.1:" + routes[other], "--client_advertise",
					advertisedHost + ":" + ports[index])
			.start();
	}

	private static void assertWorks(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		assertThat(context.getBean(Connection.class).getStatus()).isEqualTo(Connection.Status.CONNECTED);
		Coordinator coordinator = context.getBean(Coordinator.class);
		coordinator.put("/security/tls", "ok".getBytes());
		assertThat(coordinator.get("/security/tls")).isPresent();
	}

	private static FailureAnalysis assertFails(AssertableApplicationContext context, Reason reason) {
		assertThat(context).hasFailed();
		NatsConnectionException failure = NatsAuthenticationTests.findCause(context.getStartupFailure());
		assertThat(failure.getReason()).as(failure.getMessage()).isEqualTo(reason);
		FailureAnalysis analysis = new CoordinatorFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		return analysis;
	}

}
