package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Connects to NATS from {@code coordinator.nats.*} properties and connection details.
 */
final class NatsConnectionFactory {

	private static final Logger logger = LoggerFactory.getLogger(NatsConnectionFactory.class);

	/** Subject tokens without wildcards or white space, separated by single dots. */
	private static final Pattern INBOX_PREFIX = Pattern.compile("[^\\s.*>]+(\\.[^\\s.*>]+)*");

	private NatsConnectionFactory() {
	}

	static Connection connect(CoordinatorProperties.Nats properties, CoordinatorConnectionDetails details,
			String defaultConnectionName) {
		List<String> servers = details.getServers();
		if (servers.isEmpty()) {
			throw new IllegalStateException("No NATS server is configured: set coordinator.nats.servers");
		}
		String name = (properties.getConnectionName() != null) ? properties.getConnectionName() : defaultConnectionName;
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
	 * Removes user information (user, password, token) from a server URL.
	 */
	static String redact(String url) {
		if (url == null) {
			return "(none)";
		}
		try {
			URI uri = URI.create(url);
			if (uri.getUserInfo() == null) {
				return url;
			}
			return new URI(uri.getScheme(), "***", uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(),
					uri.getFragment()).toString();
		}
		catch (Exception ex) {
			int at = url.lastIndexOf('@');
			return (at < 0) ? url : "***" + url.substring(at);
		}
	}

}
