package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.coordinator.autoconfigure.NatsConnectionException.Login;
import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import io.nats.client.support.JsonValueUtils;
import io.nats.client.support.JwtUtils;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * How the coordinator logs in to NATS: at most one of user and password, token, NKey seed or credentials file,
 * checked before connecting and described without secrets for failure messages.
 *
 * @param login the kind of login
 * @param description what is logged in with, without secrets
 * @param authHandler the handler set on the options, or {@code null}
 * @param expires when the credentials file's user JWT expires, or {@code null}
 */
record NatsLogin(Login login, String description, @Nullable AuthHandler authHandler, @Nullable Instant expires) {

	private static final String REDACTED = "******";

	/**
	 * Checks the login of connection details and applies it to client options.
	 * @param details the connection details
	 * @param options the client options
	 * @return the login
	 * @throws InvalidConfigurationPropertyValueException when more than one way to log in is configured, or one is
	 * unusable
	 */
	static NatsLogin apply(CoordinatorConnectionDetails details, Options.Builder options) {
		requireOne(details);
		if (details.getUsername() != null) {
			options.userInfo(details.getUsername(), (details.getPassword() != null) ? details.getPassword() : "");
			return new NatsLogin(Login.USER, "user '" + details.getUsername() + "' with a password", null, null);
		}
		if (details.getToken() != null) {
			options.token(details.getToken().toCharArray());
			return new NatsLogin(Login.TOKEN, "a token", null, null);
		}
		if (details.getNkeySeed() != null) {
			char[] seed = details.getNkeySeed().trim().toCharArray();
			AuthHandler handler = Nats.staticCredentials(null, seed);
			options.authHandler(handler);
			return new NatsLogin(Login.NKEY, "NKey " + userPublicKey(seed), handler, null);
		}
		if (details.getCredentials() != null) {
			Path file = details.getCredentials();
			Claims claims = readCredentials(file);
			AuthHandler handler = Nats.credentials(file.toAbsolutePath().toString());
			options.authHandler(handler);
			return new NatsLogin(Login.CREDENTIALS, "credentials file " + file + " (user " + claims.user() + " of account "
					+ claims.account() + ((claims.expires() != null) ? ", valid until " + claims.expires() : "") + ")",
					handler, claims.expires());
		}
		boolean userInUrl = details.getServers().stream().anyMatch((url) -> url.contains("@"));
		return userInUrl ? new NatsLogin(Login.USER, "the user in the server URL", null, null)
				: new NatsLogin(Login.NONE, "no credentials", null, null);
	}

	/**
	 * Returns whether the credentials had expired at a given time.
	 * @param now the time
	 * @return whether this login's user JWT had expired
	 */
	boolean expiredAt(Instant now) {
		return this.expires != null && !this.expires.isAfter(now);
	}

	private static void requireOne(CoordinatorConnectionDetails details) {
		List<String> set = new ArrayList<>();
		if (details.getUsername() != null) {
			set.add("coordinator.nats.username");
		}
		if (details.getToken() != null) {
			set.add("coordinator.nats.token");
		}
		if (details.getNkeySeed() != null) {
			set.add("coordinator.nats.nkey-seed");
		}
		if (details.getCredentials() != null) {
			set.add("coordinator.nats.credentials");
		}
		if (set.size() > 1) {
			String last = set.get(set.size() - 1);
			Object value = last.endsWith("credentials") ? details.getCredentials() : REDACTED;
			throw new InvalidConfigurationPropertyValueException(last, value, "Only one way to log in can be "
					+ "configured, and " + String.join(" and ", set.subList(0, set.size() - 1)) + " is set too: keep "
					+ "the one the server's authorization expects.");
		}
	}

	private static String userPublicKey(char[] seed) {
		try {
			NKey key = NKey.fromSeed(seed);
			String publicKey = new String(key.getPublicKey());
			NKey.Type type = key.getType();
			key.clear();
			if (type != NKey.Type.USER) {
				throw new InvalidConfigurationPropertyValueException("coordinator.nats.nkey-seed", REDACTED, "It is the "
						+ "seed of " + type.name().toLowerCase() + " NKey " + publicKey + ", not of a user NKey (a user "
						+ "seed starts with 'SU').");
			}
			return publicKey;
		}
		catch (InvalidConfigurationPropertyValueException ex) {
			throw ex;
		}
		catch (Exception ex) {
			// The client's message may quote the seed.
			throw new InvalidConfigurationPropertyValueException("coordinator.nats.nkey-seed", REDACTED,
					"It is not an NKey seed: a user seed is 58 characters starting with 'SU', as 'nk -gen user' prints it.");
		}
	}

	private static Claims readCredentials(Path file) {
		String content;
		try {
			content = Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new InvalidConfigurationPropertyValueException("coordinator.nats.credentials", file,
					"The file cannot be read (" + ex.getClass().getSimpleName() + "): check the path and that this "
							+ "process may read it.");
		}
		String jwt = userJwt(file, content);
		try {
			JsonValue claims = JsonParser.parse(JwtUtils.getClaimBody(jwt));
			JsonValue nats = JsonValueUtils.readValue(claims, "nats");
			String account = (nats != null) ? JsonValueUtils.readString(nats, "issuer_account") : null;
			long expires = JsonValueUtils.readLong(claims, "exp", 0);
			return new Claims(JsonValueUtils.readString(claims, "sub"),
					(account != null) ? account : JsonValueUtils.readString(claims, "iss"),
					(expires > 0) ? Instant.ofEpochSecond(expires) : null);
		}
		catch (Exception ex) {
			throw new InvalidConfigurationPropertyValueException("coordinator.nats.credentials", file,
					"The user JWT in the file cannot be read: write the file as 'nsc generate creds' does.");
		}
	}

	private static String userJwt(Path file, String content) {
		String[] lines = content.split("\\R");
		for (int i = 0; i < lines.length - 1; i++) {
			if (lines[i].trim().startsWith("-----BEGIN NATS USER JWT")) {
				return lines[i + 1].trim();
			}
		}
		throw new InvalidConfigurationPropertyValueException("coordinator.nats.credentials", file,
				"The file holds no '-----BEGIN NATS USER JWT-----' section: a credentials file holds a user JWT and "
						+ "the user's NKey seed, as 'nsc generate creds' writes them.");
	}

	private record Claims(String user, String account, @Nullable Instant expires) {
	}

}
