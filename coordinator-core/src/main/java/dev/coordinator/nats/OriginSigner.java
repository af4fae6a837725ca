package dev.coordinator.nats;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

import dev.coordinator.CoordinatorAction;
import io.nats.client.NKey;
import io.nats.client.impl.Headers;

/**
 * Signs the changes a node writes with its NKey ({@code coordinator.origin.sign}), so that receivers can verify
 * that the node named as a change's origin wrote it. The public key travels in the node's membership record.
 *
 * <p>Holds the seed, a secret: nothing here prints it, and {@link #toString()} shows the public key only.
 */
public final class OriginSigner {

	private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

	private final NKey key;

	private final String publicKey;

	private OriginSigner(NKey key, String publicKey) {
		this.key = key;
		this.publicKey = publicKey;
	}

	/**
	 * Creates a signer from a user NKey seed (58 characters starting with {@code SU}, as {@code nk -gen user}
	 * prints it).
	 * @param seed the seed; the caller may clear the array afterwards
	 * @return the signer
	 * @throws IllegalArgumentException when it is not the seed of a user NKey; the message never quotes the seed
	 */
	public static OriginSigner fromSeed(char[] seed) {
		Objects.requireNonNull(seed, "seed");
		NKey key;
		String publicKey;
		try {
			key = NKey.fromSeed(seed.clone());
			publicKey = new String(key.getPublicKey());
		}
		catch (GeneralSecurityException | IOException | RuntimeException ex) {
			// The client's message may quote the seed.
			throw new IllegalArgumentException("It is not an NKey seed: a user seed is 58 characters starting with "
					+ "'SU', as 'nk -gen user' prints it.");
		}
		if (key.getType() != NKey.Type.USER) {
			NKey.Type type = key.getType();
			key.clear();
			throw new IllegalArgumentException("It is the seed of " + ((type != null) ? type.name().toLowerCase(Locale.ROOT) : "an")
					+ " NKey " + publicKey + ", not of a user NKey (a user seed starts with 'SU').");
		}
		return new OriginSigner(key, publicKey);
	}

	/**
	 * Returns the public key that verifies this signer's signatures, as published in the membership record.
	 * @return the public key, starting with {@code U}
	 */
	public String publicKey() {
		return this.publicKey;
	}

	/**
	 * Adds the signature of a change to the headers of its write.
	 * @param headers the headers, with the origin already set
	 * @param kvKey the key as stored
	 * @param action what the write does
	 * @param body the message body
	 * @param origin the writing node's id
	 * @param notify whether listeners are notified
	 */
	void sign(Headers headers, String kvKey, CoordinatorAction action, byte[] body, String origin, boolean notify) {
		byte[] signed = WireFormat.signedBytes(kvKey, action, body, origin, notify);
		try {
			headers.put(WireFormat.SIGNATURE_HEADER, BASE64URL.encodeToString(this.key.sign(signed)));
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Signing a change of key '" + kvKey + "' with NKey " + this.publicKey
					+ " failed: " + ex.getMessage(), ex);
		}
	}

	@Override
	public String toString() {
		return "OriginSigner[" + this.publicKey + "]";
	}

}
