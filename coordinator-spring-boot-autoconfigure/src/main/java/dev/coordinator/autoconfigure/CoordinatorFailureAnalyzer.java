package dev.coordinator.autoconfigure;

import java.util.stream.Collectors;

import dev.coordinator.CoordinatorException;
import dev.coordinator.membership.DuplicateNodeIdException;
import dev.coordinator.nats.BucketConflictException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a coordinator that could not start: an unreachable server, a refused login, a bucket whose
 * settings differ from the configured ones, a node id used by another running process, or a server without
 * JetStream.
 */
class CoordinatorFailureAnalyzer extends AbstractFailureAnalyzer<CoordinatorException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, CoordinatorException cause) {
		if (cause instanceof NatsConnectionException connection) {
			if (connection.isAuthentication()) {
				return new FailureAnalysis("The NATS server at " + connection.getServers() + " refused the login: "
						+ rootMessage(cause), "Check coordinator.nats.username and coordinator.nats.password, or "
								+ "coordinator.nats.token, against the server's authorization settings.",
						cause);
			}
			return new FailureAnalysis("The coordinator could not connect to NATS at " + connection.getServers() + ": "
					+ rootMessage(cause), "Start a NATS server with JetStream enabled (nats-server -js) at one of "
							+ "these addresses, or set coordinator.nats.servers to where yours runs. Set "
							+ "coordinator.enabled=false to start without the coordinator.",
					cause);
		}
		if (cause instanceof DuplicateNodeIdException duplicate) {
			return new FailureAnalysis("Another running process is coordinator node '" + duplicate.getNodeId()
					+ "' (it renews that node's membership record): " + cause.getMessage() + ".",
					"Give each process its own coordinator.node-id, e.g. the host or pod name, or stop the other "
							+ "process first.",
					cause);
		}
		if (cause instanceof BucketConflictException conflict) {
			String settings = conflict.getConflicts()
				.stream()
				.map((c) -> "coordinator.bucket." + kebab(c.setting()) + ": the bucket has " + c.existing()
						+ ", configured " + c.configured())
				.collect(Collectors.joining("\n    ", "\n    ", ""));
			return new FailureAnalysis("KV bucket '" + conflict.getBucket()
					+ "' exists with settings that differ from the configuration:" + settings,
					"Configure the settings the bucket has, or change the bucket with 'nats kv' (or delete it, losing "
							+ "its keys) if the new settings are what you want. The coordinator never changes an "
							+ "existing bucket.",
					cause);
		}
		return new FailureAnalysis("The coordinator could not start: " + cause.getMessage(),
				"Check that the NATS server runs with JetStream enabled (nats-server -js) and that this node may use "
						+ "the coordinator.namespace bucket.",
				cause);
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getMessage();
	}

	private static String kebab(String camelCase) {
		return camelCase.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
	}

}
