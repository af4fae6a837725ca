package dev.coordinator.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.coordinator.Coordinator;
import dev.coordinator.autoconfigure.NatsConnectionException.Login;
import dev.coordinator.autoconfigure.NatsConnectionException.Reason;
import dev.coordinator.autoconfigure.endpoint.CoordinatorEndpoint;
import dev.coordinator.autoconfigure.endpoint.CoordinatorEndpointAutoConfiguration;
import dev.coordinator.autoconfigure.health.CoordinatorHealthContributorAutoConfiguration;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.support.JwtUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static dev.coordinator.autoconfigure.SecretAssertions.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logging in to real nats-servers configured for it: user and password, token, NKey, credentials file on an
 * operator-mode server, and an {@link io.nats.client.AuthHandler} from a {@link NatsOptionsCustomizer}; each
 * refusal explained without the secret.
 */
@ExtendWith(OutputCaptureExtension.class)
class NatsAuthenticationTests {

	private static final String PASSWORD = "pa55-w0rd-secret";

	private static final String TOKEN = "t0ken-secret-value";

	private static NKey nkey;

	private static NatsServerProcess users;

	private static NatsServerProcess tokens;

	private static TestOperator operator;

	private static NatsServerProcess operatorServer;

	@TempDir
	static Path dir;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CoordinatorAutoConfiguration.class))
		.withPropertyValues("coordinator.node-id=n1", "coordinator.nats.connection-timeout=1s");

	@BeforeAll
	static void startServers() throws Exception {
		SecretAssertions.logEverything();
		nkey = NKey.createUser(new SecureRandom());
		users = NatsServerProcess.builder()
			.config("authorization { users: [ { user: app, password: \"" + PASSWORD + "\" }, { nkey: "
					+ new String(nkey.getPublicKey()) + " } ] }")
			.start();
		tokens = NatsServerProcess.builder().config("authorization { token: \"" + TOKEN + "\" }").start();
		operator = new TestOperator();
		operatorServer = NatsServerProcess.builder().config(operator.serverConfig()).start();
	}

	@AfterAll
	static void stopServers() {
		SecretAssertions.restoreLogLevels();
		for (NatsServerProcess server : new NatsServerProcess[] { users, tokens, operatorServer }) {
			if (server != null) {
				server.close();
			}
		}
	}

	@Test
	void userAndPassword(CapturedOutput output) {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(CoordinatorHealthContributorAutoConfiguration.class,
					CoordinatorEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=coordinator","coordinator.nats.servers=" + users.url(), "coordinator.nats.username=app",
					"coordinator.nats.password=" + PASSWORD)
			.run((context) -> {
				assertWorks(context);
				assertThat(context.getBean(CoordinatorProperties.class).getNats().toString()).doesNotContain(PASSWORD);
				assertThat(context.getBean(CoordinatorConnectionDetails.class).toString()).doesNotContain(PASSWORD);
				HealthIndicator health = context.getBean("coordinatorHealthIndicator", HealthIndicator.class);
				assertThat(health.health().getDetails()).isNotEmpty();
				assertThat(health.health().toString()).doesNotContain(PASSWORD);
				String endpoint = JsonMapper.builder()
					.findAndAddModules()
					.build()
					.writeValueAsString(context.getBean(CoordinatorEndpoint.class).coordinator());
				assertThat(endpoint).contains("127.0.0.1").doesNotContain(PASSWORD);
			});
		assertThat(output.getAll()).doesNotContain(PASSWORD);
	}

	@Test
	void userAndPasswordInTheServerUrlAreNotShownByTheEndpointOrTheLog(CapturedOutput output) {
		this.contextRunner.withConfiguration(AutoConfigurations.of(CoordinatorEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=coordinator", "coordinator.nats.servers=nats://app:" + PASSWORD + "@127.0.0.1:" + users.port())
			.run((context) -> {
				assertWorks(context);
				String endpoint = JsonMapper.builder()
					.findAndAddModules()
					.build()
					.writeValueAsString(context.getBean(CoordinatorEndpoint.class).coordinator());
				assertThat(endpoint).contains("***@127.0.0.1").doesNotContain(PASSWORD);
			});
		assertThat(output.getAll()).doesNotContain(PASSWORD);
	}

	@Test
	void wrongPasswordIsExplainedWithoutThePassword(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + users.url(), "coordinator.nats.username=app",
					"coordinator.nats.password=wrong-" + PASSWORD)
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.LOGIN_REFUSED, Login.USER);
				assertThat(analysis.getDescription()).contains("refused the login with user 'app'")
					.contains("Authorization Violation");
				assertThat(analysis.getAction()).contains("coordinator.nats.password");
				assertNoSecret(context.getStartupFailure(), analysis, output, PASSWORD);
			});
	}

	@Test
	void token(CapturedOutput output) {
		this.contextRunner.withPropertyValues("coordinator.nats.servers=" + tokens.url(), "coordinator.nats.token=" + TOKEN)
			.run(NatsAuthenticationTests::assertWorks);
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + tokens.url(), "coordinator.nats.token=not-" + TOKEN)
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.LOGIN_REFUSED, Login.TOKEN);
				assertThat(analysis.getAction()).contains("coordinator.nats.token");
				assertNoSecret(context.getStartupFailure(), analysis, output, TOKEN);
			});
		assertThat(output.getAll()).doesNotContain(TOKEN);
	}

	@Test
	void noLoginOnAServerThatWantsOneSaysWhichPropertiesToSet() {
		this.contextRunner.withPropertyValues("coordinator.nats.servers=" + users.url()).run((context) -> {
			FailureAnalysis analysis = assertFails(context, Reason.LOGIN_REFUSED, Login.NONE);
			assertThat(analysis.getDescription()).contains("no credentials");
			assertThat(analysis.getAction()).contains("coordinator.nats.nkey-seed").contains("coordinator.nats.credentials");
		});
	}

	@Test
	void nkeySeed(CapturedOutput output) throws Exception {
		String seed = new String(nkey.getSeed());
		this.contextRunner.withPropertyValues("coordinator.nats.servers=" + users.url(), "coordinator.nats.nkey-seed=" + seed)
			.run(NatsAuthenticationTests::assertWorks);
		assertThat(output.getAll()).doesNotContain(seed);
	}

	@Test
	void unknownNkeyIsExplainedByItsPublicKeyNotItsSeed(CapturedOutput output) throws Exception {
		NKey stranger = NKey.createUser(new SecureRandom());
		String seed = new String(stranger.getSeed());
		this.contextRunner.withPropertyValues("coordinator.nats.servers=" + users.url(), "coordinator.nats.nkey-seed=" + seed)
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.LOGIN_REFUSED, Login.NKEY);
				assertThat(analysis.getDescription()).contains("NKey " + new String(stranger.getPublicKey()));
				assertThat(analysis.getAction()).contains(new String(stranger.getPublicKey()))
					.contains("server's authorization");
				assertNoSecret(context.getStartupFailure(), analysis, output, seed);
			});
	}

	@Test
	void aSeedThatIsNotAUsersFailsNamingThePropertyButNotTheSeed() throws Exception {
		String accountSeed = new String(NKey.createAccount(new SecureRandom()).getSeed());
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + users.url(), "coordinator.nats.nkey-seed=" + accountSeed)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("coordinator.nats.nkey-seed")
				.hasMessageContaining("not of a user NKey")
				.hasMessageNotContaining(accountSeed));
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + users.url(), "coordinator.nats.nkey-seed=SUnotaseed")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("coordinator.nats.nkey-seed")
				.hasMessageContaining("not an NKey seed")
				.hasMessageNotContaining("SUnotaseed"));
	}

	@Test
	void twoWaysToLogInAreRejected() {
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + users.url(), "coordinator.nats.username=app",
					"coordinator.nats.password=" + PASSWORD, "coordinator.nats.token=" + TOKEN)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("coordinator.nats.token")
				.hasMessageContaining("coordinator.nats.username is set too")
				.hasMessageNotContaining(TOKEN)
				.hasMessageNotContaining(PASSWORD));
	}

	@Test
	void credentialsFileOnAnOperatorModeServer(CapturedOutput output) throws Exception {
		String creds = operator.userCredentials(JwtUtils.currentTimeSeconds(), Duration.ofHours(1));
		Path file = Files.writeString(dir.resolve("app.creds"), creds);
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + operatorServer.url(), "coordinator.nats.credentials=" + file)
			.run(NatsAuthenticationTests::assertWorks);
		assertThat(output.getAll()).doesNotContain(jwt(creds)).doesNotContain(seed(creds));
	}

	@Test
	void credentialsOfAnAccountTheServerDoesNotKnowAreExplained(CapturedOutput output) throws Exception {
		String creds = operator.strangerCredentials();
		Path file = Files.writeString(dir.resolve("stranger.creds"), creds);
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + operatorServer.url(), "coordinator.nats.credentials=" + file)
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.LOGIN_REFUSED, Login.CREDENTIALS);
				assertThat(analysis.getDescription()).contains("credentials file " + file).contains("of account A");
				assertThat(analysis.getAction()).contains("knows that account");
				assertNoSecret(context.getStartupFailure(), analysis, output, jwt(creds), seed(creds));
			});
	}

	@Test
	void expiredCredentialsAreExplained(CapturedOutput output) throws Exception {
		String creds = operator.userCredentials(JwtUtils.currentTimeSeconds() - 7200, Duration.ofHours(1));
		Path file = Files.writeString(dir.resolve("expired.creds"), creds);
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + operatorServer.url(), "coordinator.nats.credentials=" + file)
			.run((context) -> {
				FailureAnalysis analysis = assertFails(context, Reason.CREDENTIALS_EXPIRED, Login.CREDENTIALS);
				assertThat(analysis.getDescription()).contains("expired at");
				assertThat(analysis.getAction()).contains("coordinator.nats.credentials").contains("still valid");
				assertNoSecret(context.getStartupFailure(), analysis, output, jwt(creds), seed(creds));
			});
	}

	@Test
	void aCredentialsFileThatIsMissingOrNotOneFailsNamingThePropertyAndPath() throws Exception {
		Path missing = dir.resolve("missing.creds");
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + operatorServer.url(), "coordinator.nats.credentials=" + missing)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("coordinator.nats.credentials")
				.hasMessageContaining(missing.toString())
				.hasMessageContaining("cannot be read"));
		Path notCreds = Files.writeString(dir.resolve("not.creds"), "hello");
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + operatorServer.url(), "coordinator.nats.credentials=" + notCreds)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("coordinator.nats.credentials")
				.hasMessageContaining("BEGIN NATS USER JWT"));
	}

	@Test
	void aCustomizerIsAppliedAfterThePropertiesAndCanSupplyTheLogin() throws Exception {
		char[] seed = nkey.getSeed();
		this.contextRunner
			.withPropertyValues("coordinator.nats.servers=" + users.url(), "coordinator.nats.connection-name=from-properties")
			.withBean(NatsOptionsCustomizer.class, () -> (options) -> options
				.authHandler(Nats.staticCredentials(null, seed))
				.connectionName("from-customizer"))
			.run((context) -> {
				assertWorks(context);
				assertThat(context.getBean(Connection.class).getOptions().getConnectionName()).isEqualTo("from-customizer");
			});
	}

	private static void assertWorks(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		assertThat(context.getBean(Connection.class).getStatus()).isEqualTo(Connection.Status.CONNECTED);
		Coordinator coordinator = context.getBean(Coordinator.class);
		coordinator.put("/security/check", "ok".getBytes());
		assertThat(coordinator.get("/security/check")).isPresent();
	}

	private static FailureAnalysis assertFails(AssertableApplicationContext context, Reason reason, Login login) {
		assertThat(context).hasFailed();
		NatsConnectionException failure = findCause(context.getStartupFailure());
		assertThat(failure.getReason()).isEqualTo(reason);
		assertThat(failure.getLogin()).isEqualTo(login);
		FailureAnalysis analysis = new CoordinatorFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		return analysis;
	}

	static NatsConnectionException findCause(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof NatsConnectionException connection) {
				return connection;
			}
		}
		throw new AssertionError("No NatsConnectionException in " + failure);
	}

	private static String jwt(String creds) {
		return creds.lines().skip(1).findFirst().orElseThrow();
	}

	private static String seed(String creds) {
		return creds.lines().filter((line) -> line.startsWith("SU")).findFirst().orElseThrow();
	}

}
