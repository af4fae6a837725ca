package dev.coordinator.test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.nats.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link NatsServerExtension} on sample test classes run by a launcher of their own: the server runs while
 * the tests and their lifecycle methods run, and its process and store folder are gone afterwards.
 */
class NatsServerExtensionTests {

	private static final String SAMPLES = "dev.coordinator.test.samples";

	private static final List<NatsServerProcess> seen = new CopyOnWriteArrayList<>();

	private static final List<Connection> connections = new CopyOnWriteArrayList<>();

	@BeforeEach
	void forget() {
		seen.clear();
		connections.clear();
	}

	@Test
	void staticFieldRunsOneServerForTheClassAndItsNestedClasses() {
		assertThat(run(StaticSample.class).getTestsSucceededCount()).isEqualTo(3);
		assertThat(seen).hasSize(3).containsOnly(seen.get(0));
		assertGone(seen.get(0));
		assertThat(connections).singleElement()
			.satisfies((connection) -> assertThat(connection.getStatus()).isEqualTo(Connection.Status.CLOSED));
	}

	@Test
	void instanceFieldRunsOneServerPerTest() {
		assertThat(run(PerTestSample.class).getTestsSucceededCount()).isEqualTo(2);
		assertThat(seen).hasSize(2).doesNotHaveDuplicates();
		seen.forEach(NatsServerExtensionTests::assertGone);
	}

	@Test
	void instanceFieldWithPerClassLifecycleRunsOneServerForTheClass() {
		assertThat(run(PerClassSample.class).getTestsSucceededCount()).isEqualTo(2);
		assertThat(seen).hasSize(2).containsOnly(seen.get(0));
		assertGone(seen.get(0));
	}

	@Test
	void serverOutlivesTheAfterCallbacksOfExtensionsRegisteredBeforeIt() {
		// As Spring's extension, which closes a test's application context in its afterAll callback.
		assertThat(run(OuterExtensionSample.class).getTestsSucceededCount()).isEqualTo(1);
		assertThat(seen).singleElement().satisfies(NatsServerExtensionTests::assertGone);
	}

	@Test
	void serverIsNotAvailableOutsideTheTests() {
		NatsServerExtension extension = new NatsServerExtension();
		assertThatIllegalStateException().isThrownBy(extension::url).withMessageContaining("@RegisterExtension");
		assertThatIllegalStateException().isThrownBy(extension::connect).withMessageContaining("not started");
	}

	static boolean launchedBySamples(ExtensionContext context) {
		return context.getConfigurationParameter(SAMPLES).isPresent();
	}

	private static TestExecutionSummary run(Class<?> sample) {
		SummaryGeneratingListener listener = new SummaryGeneratingListener();
		LauncherFactory.create()
			.execute(LauncherDiscoveryRequestBuilder.request()
				.selectors(DiscoverySelectors.selectClass(sample))
				.configurationParameter(SAMPLES, "true")
				.build(), listener);
		TestExecutionSummary summary = listener.getSummary();
		StringWriter failures = new StringWriter();
		summary.printFailuresTo(new PrintWriter(failures), 20);
		assertThat(summary.getTotalFailureCount()).as(failures.toString()).isZero();
		return summary;
	}

	private static void assertGone(NatsServerProcess process) {
		assertThat(process.isRunning()).isFalse();
		assertThat(process.storeDir()).doesNotExist();
	}

	private static void record(NatsServerExtension server) {
		assertThat(server.process().isRunning()).isTrue();
		assertThat(server.url()).isEqualTo(server.process().url());
		seen.add(server.process());
	}

	@EnabledIf("dev.coordinator.test.NatsServerExtensionTests#launchedBySamples")
	static class StaticSample {

		@RegisterExtension
		static final NatsServerExtension server = new NatsServerExtension("--server_name", "extension-sample");

		private static Connection connection;

		@BeforeAll
		static void connect() throws Exception {
			connection = server.connect();
			connections.add(connection);
		}

		@AfterAll
		static void serverStillRuns() {
			assertThat(server.process().isRunning()).isTrue();
			assertThat(connection.getStatus()).isEqualTo(Connection.Status.CONNECTED);
		}

		@Test
		void connects() {
			assertThat(connection.getServerInfo().getServerName()).isEqualTo("extension-sample");
			record(server);
		}

		@Test
		void sharesTheServer() {
			record(server);
		}

		@Nested
		class Inner {

			@Test
			void sharesTheServer() {
				record(server);
			}

		}

	}

	@EnabledIf("dev.coordinator.test.NatsServerExtensionTests#launchedBySamples")
	static class PerTestSample {

		@RegisterExtension
		final NatsServerExtension server = new NatsServerExtension();

		@AfterEach
		void serverStillRuns() {
			assertThat(this.server.process().isRunning()).isTrue();
		}

		@Test
		void first() {
			record(this.server);
		}

		@Test
		void second() {
			record(this.server);
		}

	}

	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	@EnabledIf("dev.coordinator.test.NatsServerExtensionTests#launchedBySamples")
	static class PerClassSample {

		@RegisterExtension
		final NatsServerExtension server = new NatsServerExtension();

		@Test
		void first() {
			record(this.server);
		}

		@Test
		void second() {
			record(this.server);
		}

	}

	@ExtendWith(ServerRunsInAfterAll.class)
	@EnabledIf("dev.coordinator.test.NatsServerExtensionTests#launchedBySamples")
	static class OuterExtensionSample {

		@RegisterExtension
		static final NatsServerExtension server = new NatsServerExtension();

		@Test
		void runs() {
			record(server);
		}

	}

	/**
	 * Registered before the server's extension, so its afterAll callback runs after the server's would.
	 */
	static class ServerRunsInAfterAll implements AfterAllCallback {

		@Override
		public void afterAll(ExtensionContext context) {
			assertThat(OuterExtensionSample.server.process().isRunning()).isTrue();
		}

	}

}
