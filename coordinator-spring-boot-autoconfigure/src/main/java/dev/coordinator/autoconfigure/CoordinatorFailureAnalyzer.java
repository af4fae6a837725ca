package dev.coordinator.autoconfigure;

import java.util.stream.Collectors;

import dev.coordinator.CoordinatorException;
import dev.coordinator.membership.DuplicateNodeIdException;
import dev.coordinator.nats.BucketConflictException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a coordinator that could not start: an unreachable server, a refused login or expired credentials,
 * a server certificate that is not trusted or names other hosts, a server that wants a client certificate or
 * TLS that only one side offers, a bucket whose settings differ from the configured ones, a node id used by
 * another running process, or a server without JetStream.
 */
class CoordinatorFailureAnalyzer extends AbstractFailureAnalyzer<CoordinatorException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, CoordinatorException cause) {
		if (cause instanceof NatsConnectionException connection) {
			return analyze(connection);
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

	private static FailureAnalysis analyze(NatsConnectionException ex) {
		String servers = String.valueOf(ex.getServers());
		String login = ex.getLoginDescription();
		return switch (ex.getReason()) {
			case UNREACHABLE -> new FailureAnalysis("The coordinator could not connect to NATS at " + servers + ": "
					+ ex.getDetail(), "Start a NATS server with JetStream enabled (nats-server -js) at one of these "
							+ "addresses, or set coordinator.nats.servers to where yours runs. Set "
							+ "coordinator.enabled=false to start without the coordinator.",
					ex);
			case LOGIN_REFUSED -> new FailureAnalysis("The NATS server at " + servers + " refused the login with "
					+ login + ": " + ex.getDetail(), loginAction(ex), ex);
			case CREDENTIALS_EXPIRED -> new FailureAnalysis("The NATS server at " + servers + " refused the login with "
					+ login + ": " + ex.getDetail() + ".",
					"Write a credentials file with a user JWT that is still valid (e.g. 'nsc generate creds') to the "
							+ "path of coordinator.nats.credentials. The file is read at every connect: replacing it is "
							+ "enough for running nodes.",
					ex);
			case UNTRUSTED_CERTIFICATE -> new FailureAnalysis("The NATS server at " + servers + " presented a "
					+ "certificate this node does not trust. " + ex.getDetail(),
					"Add the certificate of the CA that issued the server's certificate to the trust material of the "
							+ "SSL bundle that coordinator.nats.ssl.bundle names "
							+ "(spring.ssl.bundle.pem.<name>.truststore.certificate or "
							+ "spring.ssl.bundle.jks.<name>.truststore.location); without a bundle, 'tls://' URLs use "
							+ "the JVM's trust store.",
					ex);
			case HOST_NAME_MISMATCH -> new FailureAnalysis("The NATS server at " + servers + " presented a trusted "
					+ "certificate for other host names. " + ex.getDetail() + ".",
					"Connect with a host name the certificate names (coordinator.nats.servers; for the servers a "
							+ "cluster advertises, their client_advertise setting), or give the server a certificate "
							+ "whose subject alternative names include the host name clients use. Host names are "
							+ "always verified.",
					ex);
			case CLIENT_CERTIFICATE_REJECTED -> new FailureAnalysis("The NATS server at " + servers + " ended the TLS "
					+ "handshake: it requires a client certificate it trusts (tls { verify: true }) and got none, or "
					+ "one it does not trust: " + ex.getDetail(),
					"Give the SSL bundle that coordinator.nats.ssl.bundle names a key and a certificate issued by a CA "
							+ "in the server's ca_file (spring.ssl.bundle.pem.<name>.keystore.certificate and "
							+ ".private-key, or spring.ssl.bundle.jks.<name>.keystore.location).",
					ex);
			case TLS_MISMATCH -> new FailureAnalysis("TLS is required by one side of the connection to NATS at "
					+ servers + " and not offered by the other: " + ex.getDetail(),
					"For a server that requires TLS, use 'tls://' URLs in coordinator.nats.servers or set "
							+ "coordinator.nats.ssl.bundle; for a server without TLS, remove the bundle.",
					ex);
			case TLS_FAILED -> new FailureAnalysis("TLS with the NATS server at " + servers + " failed: "
					+ ex.getDetail(),
					"Check that the protocols and ciphers of the SSL bundle that coordinator.nats.ssl.bundle names "
							+ "are ones the server accepts, and the server's tls settings.",
					ex);
		};
	}

	private static String loginAction(NatsConnectionException ex) {
		return switch (ex.getLogin()) {
			case NONE -> "The server requires a login: set coordinator.nats.username and coordinator.nats.password, "
					+ "coordinator.nats.token, coordinator.nats.nkey-seed or coordinator.nats.credentials as its "
					+ "authorization expects.";
			case USER -> "Check coordinator.nats.username and coordinator.nats.password (or the user in the server "
					+ "URL) against the users of the server's authorization.";
			case TOKEN -> "Check coordinator.nats.token against the token of the server's authorization.";
			case NKEY -> "Add the NKey's public key (" + ex.getLoginDescription().substring("NKey ".length())
					+ ") to the server's authorization (users: [ { nkey: ... } ]), or set coordinator.nats.nkey-seed to "
					+ "the seed of a user NKey the server knows.";
			case CREDENTIALS -> "Check that the server trusts the operator that signed the user's account, knows that "
					+ "account (its resolver) and has not revoked the user; or point coordinator.nats.credentials at "
					+ "the credentials file of a user of this server.";
			case CUSTOM -> "Check the credentials that the AuthHandler of your NatsOptionsCustomizer bean supplies.";
		};
	}

	private static String kebab(String camelCase) {
		return camelCase.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
	}

}
