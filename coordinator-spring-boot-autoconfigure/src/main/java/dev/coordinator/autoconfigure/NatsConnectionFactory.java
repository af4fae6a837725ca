package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.util.List;

import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects to NATS from {@code coordinator.nats.*} properties and connection details, and shows server URLs
 * without their credentials.
 */
public final class NatsConnectionFactory {

	private static final Logger logger = LoggerFactory.getLogger(NatsConnectionFactory.class);

	private NatsConnectionFactory() {
	}

	static Connection connect(CoordinatorProperties.Nats properties, CoordinatorConnectionDetails details,
			String defaultConnectionName) {
		List<String> servers = details.getServers();
		if (servers.isEmpty()) {
			throw new IllegalStateException("No NATS server is configured: set coordinator.nats.servers");
		}
		String name = (properties.getConnectionName() != null) ? properties.getConnectionName() : defaultConnectionName;
		Options.Builder options = Options.builder()
			.servers(servers.toArray(String[]::new))
			.connectionName(name)
			.connectionTimeout(properties.getConnectionTimeout())
			.reconnectWait(properties.getReconnectWait())
			.maxReconnects(properties.getMaxReconnects())
			.pingInterval(properties.getPingInterval())
			.errorListener(new NatsErrorLogger());
		if (details.getUsername() != null) {
			options.userInfo(details.getUsername(), (details.getPassword() != null) ? details.getPassword() : "");
		}
		if (details.getToken() != null) {
			options.token(details.getToken().toCharArray());
		}
		List<String> redacted = servers.stream().map(NatsConnectionFactory::redact).toList();
		try {
			Connection connection = Nats.connect(options.build());
			logger.info("Connected to NATS at {} as '{}' (server {})", redact(connection.getConnectedUrl()), name,
					connection.getServerInfo().getVersion());
			return connection;
		}
		catch (AuthenticationException ex) {
			throw new NatsConnectionException(redacted, true, ex);
		}
		catch (IOException ex) {
			throw new NatsConnectionException(redacted, false, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new NatsConnectionException(redacted, false, ex);
		}
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
