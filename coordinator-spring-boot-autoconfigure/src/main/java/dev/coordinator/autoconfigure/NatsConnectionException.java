package dev.coordinator.autoconfigure;

import java.util.List;

import dev.coordinator.CoordinatorException;

/**
 * Thrown at start when no NATS server could be reached or the login was refused.
 */
public class NatsConnectionException extends CoordinatorException {

	private final List<String> servers;

	private final boolean authentication;

	/**
	 * Creates an exception.
	 * @param servers the server URLs tried, without credentials
	 * @param authentication whether the server refused the login
	 * @param cause the client's exception
	 */
	public NatsConnectionException(List<String> servers, boolean authentication, Throwable cause) {
		super("Could not connect to NATS at " + servers + ": " + cause.getMessage(), cause);
		this.servers = List.copyOf(servers);
		this.authentication = authentication;
	}

	/**
	 * Returns the server URLs tried, without credentials.
	 * @return the servers
	 */
	public List<String> getServers() {
		return this.servers;
	}

	/**
	 * Returns whether the server refused the login.
	 * @return whether authentication failed
	 */
	public boolean isAuthentication() {
		return this.authentication;
	}

}
