package dev.coordinator.autoconfigure;

import java.security.SecureRandom;
import java.time.Duration;

import io.nats.client.NKey;
import io.nats.client.support.JsonSerializable;
import io.nats.client.support.JwtUtils;

/**
 * An operator with a system account and an application account with JetStream, minted with jnats's NKey and JWT
 * utilities, for a nats-server in operator mode with a memory resolver.
 */
final class TestOperator {

	private static final String LIMITS = "\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
			+ "\"wildcards\":true,\"conn\":-1,\"leaf\":-1";

	private final SecureRandom random = new SecureRandom();

	private final NKey operator;

	private final NKey system;

	private final NKey account;

	private final String serverConfig;

	TestOperator() throws Exception {
		this.operator = NKey.createOperator(this.random);
		this.system = NKey.createAccount(this.random);
		this.account = NKey.createAccount(this.random);
		String operatorKey = publicKey(this.operator);
		String operatorJwt = JwtUtils.issueJWT(this.operator, operatorKey, "test-operator", null,
				JwtUtils.currentTimeSeconds(), operatorKey,
				json("{\"system_account\":\"" + publicKey(this.system) + "\",\"type\":\"operator\",\"version\":2}"));
		String systemJwt = accountJwt(this.system, "SYS", "");
		String accountJwt = accountJwt(this.account, "APP",
				",\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1");
		this.serverConfig = "operator: " + operatorJwt + "\nsystem_account: " + publicKey(this.system)
				+ "\nresolver: MEMORY\nresolver_preload: {\n  " + publicKey(this.system) + ": " + systemJwt + "\n  "
				+ publicKey(this.account) + ": " + accountJwt + "\n}\n";
	}

	/**
	 * Returns the server configuration: operator, system account, memory resolver with both accounts.
	 * @return the configuration
	 */
	String serverConfig() {
		return this.serverConfig;
	}

	/**
	 * Returns the public key of the application account.
	 * @return the key
	 */
	String accountKey() throws Exception {
		return publicKey(this.account);
	}

	/**
	 * Mints a user of the application account and returns its credentials file content.
	 * @param issuedAt when the JWT was issued
	 * @param validity how long it is valid, or {@code null} for ever
	 * @return the content of a {@code .creds} file
	 */
	String userCredentials(long issuedAt, Duration validity) throws Exception {
		return credentials(this.account, issuedAt, validity);
	}

	/**
	 * Mints a user of an account the server does not know and returns its credentials file content.
	 * @return the content of a {@code .creds} file
	 */
	String strangerCredentials() throws Exception {
		return credentials(NKey.createAccount(this.random), JwtUtils.currentTimeSeconds(), null);
	}

	private String credentials(NKey account, long issuedAt, Duration validity) throws Exception {
		NKey user = NKey.createUser(this.random);
		String jwt = JwtUtils.issueUserJWT(account, publicKey(account), publicKey(user), "app-user", validity,
				new String[0], issuedAt);
		return String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt, new String(user.getSeed()));
	}

	private String accountJwt(NKey key, String name, String jetStreamLimits) throws Exception {
		return JwtUtils.issueJWT(this.operator, publicKey(key), name, null, JwtUtils.currentTimeSeconds(),
				publicKey(this.operator), json("{\"limits\":{" + LIMITS + jetStreamLimits
						+ "},\"default_permissions\":{\"pub\":{},\"sub\":{}},\"type\":\"account\",\"version\":2}"));
	}

	private static String publicKey(NKey key) throws Exception {
		return new String(key.getPublicKey());
	}

	private static JsonSerializable json(String json) {
		return () -> json;
	}

}
