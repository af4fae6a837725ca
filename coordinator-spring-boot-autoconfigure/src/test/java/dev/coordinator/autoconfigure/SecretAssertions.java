package dev.coordinator.autoconfigure;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asserts that secrets appear nowhere: not in a failure's messages, stack trace or analysis, nor in the log.
 */
final class SecretAssertions {

	private SecretAssertions() {
	}

	/**
	 * Logs the coordinator and the NATS client at their most verbose, so that the log checks cover every line.
	 */
	static void logEverything() {
		LoggingSystem logging = LoggingSystem.get(SecretAssertions.class.getClassLoader());
		logging.setLogLevel("dev.coordinator", LogLevel.TRACE);
		logging.setLogLevel("io.nats", LogLevel.TRACE);
	}

	/**
	 * Restores the levels of the test configuration.
	 */
	static void restoreLogLevels() {
		LoggingSystem logging = LoggingSystem.get(SecretAssertions.class.getClassLoader());
		logging.setLogLevel("dev.coordinator", LogLevel.INFO);
		logging.setLogLevel("io.nats", null);
	}

	static void assertNoSecret(Throwable failure, FailureAnalysis analysis, CapturedOutput output, String... secrets) {
		StringWriter trace = new StringWriter();
		failure.printStackTrace(new PrintWriter(trace));
		for (String secret : secrets) {
			assertThat(trace.toString()).as("stack trace").doesNotContain(secret);
			assertThat(analysis.getDescription()).as("failure analysis").doesNotContain(secret);
			assertThat(analysis.getAction()).as("failure analysis").doesNotContain(secret);
			assertThat(output.getAll()).as("log").doesNotContain(secret);
		}
	}

}
