package dev.coordinator.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * Where the coordinator's NATS servers are and how to log in. Defined by {@code coordinator.nats.*}
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

}
