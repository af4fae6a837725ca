package dev.coordinator.autoconfigure;

import java.nio.file.Path;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

/**
 * Where the coordinator's NATS servers are, how to log in and how to secure the connection. Defined by {@code coordinator.nats.*}
 * properties unless a bean of this type supplies them (as tests and platforms do).
 */
public interface CoordinatorConnectionDetails extends ConnectionDetails {

	/**
	 * Returns the URLs of the NATS servers.
	 * @return the server URLs, e.g. {@code nats://localhost:4222}
	 */
	List<String> getServers();

	/**
	 * Returns the login user.
	 * @return the user, or {@code null}
	 */
	default @Nullable String getUsername() {
		return null;
	}

	/**
	 * Returns the login password.
	 * @return the password, or {@code null}
	 */
	default @Nullable String getPassword() {
		return null;
	}

	/**
	 * Returns the authentication token.
	 * @return the token, or {@code null}
	 */
	default @Nullable String getToken() {
		return null;
	}

	/**
	 * Returns the seed of the user NKey to log in with.
	 * @return the seed, or {@code null}
	 */
	default @Nullable String getNkeySeed() {
		return null;
	}

	/**
	 * Returns the credentials file (user JWT and NKey seed) to log in with.
	 * @return the file, or {@code null}
	 */
	default @Nullable Path getCredentials() {
		return null;
	}

	/**
	 * Returns the SSL bundle to connect with: the certificates to trust and, for mutual TLS, the client's key.
	 * When present, connections always use TLS and the server certificate's host name is verified.
	 * @return the bundle, or {@code null} for plain connections (and the JVM's trust store for {@code tls://}
	 * URLs)
	 */
	default @Nullable SslBundle getSslBundle() {
		return null;
	}

}
