package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import dev.coordinator.autoconfigure.NatsConnectionException.Login;
import dev.coordinator.autoconfigure.NatsConnectionException.Reason;
import dev.coordinator.autoconfigure.NatsTls.ClientCertificateRequests;
import dev.coordinator.autoconfigure.NatsTls.HostNameMismatchException;
import dev.coordinator.autoconfigure.NatsTls.UntrustedCertificateException;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Connects to NATS from {@code coordinator.nats.*} properties and connection details: servers, login, TLS with
 * the host name verified, then the {@link NatsOptionsCustomizer} beans. A failed connection is explained by a
 * {@link NatsConnectionException} that names the reason and holds no secret. Shows server URLs without their
 * credentials.
 */
public final class NatsConnectionFactory {

	private static final Logger logger = LoggerFactory.getLogger(NatsConnectionFactory.class);

	/**
	 * TLS alerts a server sends when it wants a client certificate or does not trust the one it got.
	 */
	private static final List<String> CLIENT_CERTIFICATE_ALERTS = List.of("certificate_required", "bad_certificate",
			"unknown_ca", "certificate_unknown");

	/**
	 * What jnats says when one side requires TLS and the other does not offer it.
	 */
	private static final List<String> TLS_MISMATCHES = List.of("SSL required by server", "SSL connection wanted by client");

	/** Subject tokens without wildcards or white space, separated by single dots. */
	private static final Pattern INBOX_PREFIX = Pattern.compile("[^\\s.*>]+(\\.[^\\s.*>]+)*");

	private NatsConnectionFactory() {
	}

	static Connection connect(CoordinatorProperties.Nats properties, CoordinatorConnectionDetails details,
			String defaultConnectionName, List<NatsOptionsCustomizer> customizers) {
		List<String> servers = details.getServers();
		if (servers.isEmpty()) {
			throw new IllegalStateException("No NATS server is configured: set coordinator.nats.servers");
		}
		String name = (properties.getConnectionName() != null) ? properties.getConnectionName() : defaultConnectionName;
		NatsErrorLogger errors = new NatsErrorLogger();
		String inboxPrefix = properties.getInboxPrefix();
		if (inboxPrefix == null || !INBOX_PREFIX.matcher(inboxPrefix).matches()) {
			throw new InvalidConfigurationPropertyValueException("coordinator.nats.inbox-prefix", inboxPrefix,
					"Use one or more subject tokens separated by '.', without wildcards or white space, e.g. "
							+ "'_INBOX_node-1'.");
		}
		Options.Builder options = Options.builder()
			.servers(servers.toArray(String[]::new))
			.connectionName(name)
			.connectionTimeout(properties.getConnectionTimeout())
			.reconnectWait(properties.getReconnectWait())
			.maxReconnects(properties.getMaxReconnects())
			.pingInterval(properties.getPingInterval())
			.inboxPrefix(inboxPrefix)
			.errorListener(errors);
		NatsLogin login = NatsLogin.apply(details, options);
		SslBundle bundle = details.getSslBundle();
		ClientCertificateRequests certificateRequests = new ClientCertificateRequests();
		if (bundle != null || servers.stream().anyMatch(NatsTls::isTls)) {
			try {
				options.sslContext(NatsTls.sslContext(bundle, certificateRequests)).serverPool(NatsTls.serverPool());
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("Could not create the SSL context for NATS"
						+ ((bundle != null) ? " from the SSL bundle" : " from the JVM's trust store") + ": "
						+ ex.getMessage(), ex);
			}
		}
		customizers.forEach((customizer) -> customizer.customize(options));
		Options built = options.build();
		if (built.getAuthHandler() != login.authHandler()) {
			login = new NatsLogin(Login.CUSTOM, "the AuthHandler of a NatsOptionsCustomizer", built.getAuthHandler(),
					null);
		}
		List<String> redacted = servers.stream().map(NatsConnectionFactory::redact).toList();
		try {
			Connection connection = Nats.connect(built);
			logger.info("Connected to NATS at {} as '{}' (server {})", redact(connection.getConnectedUrl()), name,
					connection.getServerInfo().getVersion());
			return connection;
		}
		catch (AuthenticationException ex) {
			if (login.expiredAt(Instant.now())) {
				throw new NatsConnectionException(redacted, Reason.CREDENTIALS_EXPIRED, login.login(),
						login.description(), "the user JWT of the credentials file expired at " + login.expires(), ex);
			}
			throw new NatsConnectionException(redacted, Reason.LOGIN_REFUSED, login.login(), login.description(),
					ex.getMessage(), ex);
		}
		catch (IOException ex) {
			throw failure(redacted, login, ex, errors.lastException(), certificateRequests);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new NatsConnectionException(redacted, Reason.UNREACHABLE, login.login(), login.description(),
					"interrupted while connecting", ex);
		}
	}

	/**
	 * Explains a failed connection from what the client reported while it tried: it throws an exception that only
	 * names the servers.
	 */
	private static NatsConnectionException failure(List<String> servers, NatsLogin login, IOException thrown,
			@Nullable Exception reported, ClientCertificateRequests certificateRequests) {
		Throwable cause = (reported != null) ? reported : thrown;
		HostNameMismatchException mismatch = NatsErrorLogger.findCause(cause, HostNameMismatchException.class);
		if (mismatch != null) {
			return new NatsConnectionException(servers, Reason.HOST_NAME_MISMATCH, login.login(), login.description(),
					mismatch.getMessage(), mismatch);
		}
		UntrustedCertificateException untrusted = NatsErrorLogger.findCause(cause, UntrustedCertificateException.class);
		if (untrusted != null) {
			return new NatsConnectionException(servers, Reason.UNTRUSTED_CERTIFICATE, login.login(),
					login.description(), untrusted.getMessage(), untrusted);
		}
		SSLException tls = NatsErrorLogger.findCause(cause, SSLException.class);
		if (tls != null) {
			String message = String.valueOf(tls.getMessage());
			boolean clientCertificate = CLIENT_CERTIFICATE_ALERTS.stream()
				.anyMatch((alert) -> message.contains("alert: " + alert));
			return new NatsConnectionException(servers,
					clientCertificate ? Reason.CLIENT_CERTIFICATE_REJECTED : Reason.TLS_FAILED, login.login(),
					login.description(), "the TLS handshake failed: " + message, tls);
		}
		List<String> issuers = certificateRequests.unansweredIssuers();
		if (issuers != null) {
			return new NatsConnectionException(servers, Reason.CLIENT_CERTIFICATE_REJECTED, login.login(),
					login.description(), "the server asked for a client certificate"
							+ (issuers.isEmpty() ? "" : " issued by " + issuers) + " and the client has none",
					cause);
		}
		String message = (cause.getMessage() != null) ? cause.getMessage() : cause.toString();
		if (TLS_MISMATCHES.stream().anyMatch(message::contains)) {
			return new NatsConnectionException(servers, Reason.TLS_MISMATCH, login.login(), login.description(),
					message, cause);
		}
		return new NatsConnectionException(servers, Reason.UNREACHABLE, login.login(), login.description(),
				thrown.getMessage() + ((reported != null) ? " (last error: " + reported + ")" : ""), thrown);
	}

	/**
	 * Removes user information (user, password, token) from a server URL, with or without a scheme: what
	 * precedes its last {@code @} becomes {@code ***}, e.g. {@code nats://user:secret@host:4222} becomes
	 * {@code nats://***@host:4222}. (Several URLs in one string are redacted as one: safe, if less legible.)
	 * @param url the server URL, or {@code null}
	 * @return the URL without user information, or {@code (none)} for {@code null}
	 */
	public static String redact(@Nullable String url) {
		if (url == null) {
			return "(none)";
		}
		int at = url.lastIndexOf('@');
		if (at < 0) {
			return url;
		}
		int scheme = url.indexOf("://");
		int start = (scheme >= 0 && scheme < at) ? scheme + 3 : 0;
		return url.substring(0, start) + "***" + url.substring(at);
	}

}
