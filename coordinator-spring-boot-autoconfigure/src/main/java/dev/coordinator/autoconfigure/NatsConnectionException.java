package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

import dev.coordinator.CoordinatorException;

/**
 * Thrown at start when no NATS server could be reached or the login was refused.
 */
public class NatsConnectionException extends CoordinatorException {

	private static final Pattern USER_INFO = Pattern.compile("://[^/@\\s\\]\\[,]+@");

	private final List<String> servers;

	private final boolean authentication;

	/**
	 * Creates an exception.
	 * @param servers the server URLs tried, without credentials
	 * @param authentication whether the server refused the login
	 * @param cause the client's exception
	 */
	public NatsConnectionException(List<String> servers, boolean authentication, Throwable cause) {
		super("Could not connect to NATS at " + servers + ": " + redact(cause.getMessage()), redacted(cause));
		this.servers = List.copyOf(servers);
		this.authentication = authentication;
	}

	/**
	 * The client names the servers it tried, credentials included: keep them out of messages and logs.
	 */
	private static Throwable redacted(Throwable cause) {
		String message = cause.getMessage();
		if (message == null || message.equals(redact(message))) {
			return cause;
		}
		IOException copy = new IOException(cause.getClass().getName() + ": " + redact(message));
		copy.setStackTrace(cause.getStackTrace());
		return copy;
	}

	private static String redact(String message) {
		return (message != null) ? USER_INFO.matcher(message).replaceAll("://***@") : "no details";
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
