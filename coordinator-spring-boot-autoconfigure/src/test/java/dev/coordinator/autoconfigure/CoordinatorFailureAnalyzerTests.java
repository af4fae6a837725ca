package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.util.List;

import dev.coordinator.membership.DuplicateNodeIdException;
import dev.coordinator.nats.BucketConflictException;
import io.nats.client.AuthenticationException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class CoordinatorFailureAnalyzerTests {

	private final CoordinatorFailureAnalyzer analyzer = new CoordinatorFailureAnalyzer();

	@Test
	void bucketConflictNamesThePropertiesToChange() {
		BucketConflictException conflict = new BucketConflictException("coordinator",
				List.of(new BucketConflictException.Conflict("history", "5", "1"),
						new BucketConflictException.Conflict("maxValueSize", "-1", "1048576")));

		FailureAnalysis analysis = this.analyzer.analyze(new BeanCreationException("natsCoordinator", "failed", conflict));

		assertThat(analysis.getDescription()).contains("KV bucket 'coordinator'")
			.contains("coordinator.bucket.history: the bucket has 5, configured 1")
			.contains("coordinator.bucket.max-value-size: the bucket has -1, configured 1048576");
		assertThat(analysis.getAction()).contains("never changes an existing bucket");
	}

	@Test
	void aNodeIdUsedByAnotherProcessSaysToGiveEachItsOwn() {
		DuplicateNodeIdException duplicate = new DuplicateNodeIdException("node-1", "/nodes/node-1");

		FailureAnalysis analysis = this.analyzer.analyze(new BeanCreationException("coordinatorMembership", "failed",
				duplicate));

		assertThat(analysis.getDescription()).contains("Another running process is coordinator node 'node-1'");
		assertThat(analysis.getAction()).contains("its own coordinator.node-id");
	}

	@Test
	void refusedLoginPointsAtTheCredentials() {
		NatsConnectionException refused = new NatsConnectionException(List.of("nats://127.0.0.1:4333"),
				NatsConnectionException.Reason.LOGIN_REFUSED, NatsConnectionException.Login.USER, "user 'app'",
				"Authorization Violation", new AuthenticationException("Authorization Violation"));

		FailureAnalysis analysis = this.analyzer.analyze(refused);

		assertThat(analysis.getDescription()).contains("refused the login with user 'app'")
			.contains("Authorization Violation");
		assertThat(analysis.getAction()).contains("coordinator.nats.username").contains("coordinator.nats.password");
	}

	@Test
	void otherFailuresAreExplained() {
		FailureAnalysis analysis = this.analyzer
			.analyze(new dev.coordinator.CoordinatorException("JetStream not enabled", new IOException("no JetStream")));

		assertThat(analysis.getDescription()).contains("JetStream not enabled");
		assertThat(analysis.getAction()).contains("nats-server -js");
	}

}
