package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

import dev.coordinator.CoordinatorException;

/**
 * Thrown at start when no NATS server could be reached, the login was refused, or TLS failed. Its message, its
 * causes' messages and {@link #getLogin()} hold no secret: no password, token, seed, JWT or key.
 */
public class NatsConnectionException extends CoordinatorException {

	private static final Pattern USER_INFO = Pattern.compile("://[^/@\\s\\]\\[,]+@");

	private final List<String> servers;

	private final Reason reason;

	private final Login login;

	private final String loginDescription;

	private final String detail;

	/**
	 * Creates an exception.
	 * @param servers the server URLs tried, without credentials
	 * @param reason why the connection failed
	 * @param login how the client logged in
	 * @param loginDescription what the client logged in with, without secrets, e.g. {@code user 'app'}
	 * @param detail what went wrong, without secrets
	 * @param cause the client's exception
	 */
	public NatsConnectionException(List<String> servers, Reason reason, Login login, String loginDescription,
			String detail, Throwable cause) {
		super("Could not connect to NATS at " + servers + ": " + redact(detail), redacted(cause));
		this.servers = List.copyOf(servers);
		this.reason = reason;
		this.login = login;
		this.loginDescription = loginDescription;
		this.detail = redact(detail);
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
	 * Returns why the connection failed.
	 * @return the reason
	 */
	public Reason getReason() {
		return this.reason;
	}

	/**
	 * Returns how the client logged in.
	 * @return the kind of login
	 */
	public Login getLogin() {
		return this.login;
	}

	/**
	 * Returns what the client logged in with, without secrets: a user name, an NKey's public key, a credentials
	 * file's path and the public keys of its user and account.
	 * @return the description
	 */
	public String getLoginDescription() {
		return this.loginDescription;
	}

	/**
	 * Returns what went wrong, without secrets.
	 * @return the detail, e.g. the server's error or why a certificate was rejected
	 */
	public String getDetail() {
		return this.detail;
	}

	/**
	 * Returns whether the server refused the login.
	 * @return whether authentication failed
	 */
	public boolean isAuthentication() {
		return this.reason == Reason.LOGIN_REFUSED || this.reason == Reason.CREDENTIALS_EXPIRED;
	}

	/**
	 * Why a connection failed.
	 */
	public enum Reason {

		/**
		 * No server answered at the configured addresses.
		 */
		UNREACHABLE,

		/**
		 * The server refused the login.
		 */
		LOGIN_REFUSED,

		/**
		 * The user JWT of the credentials file had expired.
		 */
		CREDENTIALS_EXPIRED,

		/**
		 * The server's certificate is not trusted.
		 */
		UNTRUSTED_CERTIFICATE,

		/**
		 * The server's certificate is trusted but valid for other host names than the one connected to.
		 */
		HOST_NAME_MISMATCH,

		/**
		 * The server ended the TLS handshake because it wants a client certificate it trusts.
		 */
		CLIENT_CERTIFICATE_REJECTED,

		/**
		 * One side requires TLS and the other does not offer it.
		 */
		TLS_MISMATCH,

		/**
		 * TLS failed for another reason.
		 */
		TLS_FAILED

	}

	/**
	 * How a client logs in.
	 */
	public enum Login {

		/**
		 * Without credentials.
		 */
		NONE,

		/**
		 * With a user and password, from the properties or the server URL.
		 */
		USER,

		/**
		 * With a token.
		 */
		TOKEN,

		/**
		 * With an NKey seed.
		 */
		NKEY,

		/**
		 * With a credentials file (user JWT and NKey seed).
		 */
		CREDENTIALS,

		/**
		 * Through an {@link io.nats.client.AuthHandler} or other options set by a {@link NatsOptionsCustomizer}.
		 */
		CUSTOM

	}

}
