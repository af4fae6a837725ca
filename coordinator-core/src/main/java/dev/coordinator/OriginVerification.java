package dev.coordinator;

/**
 * What a receiving node found when it checked who wrote a change ({@code coordinator.origin.verify}). The origin
 * of a change is what its writer claimed; only a signature that verifies against the public key the node with
 * that id published in its membership record shows that the node wrote it. See {@code docs/security.md}.
 */
public enum OriginVerification {

	/** The receiving node does not verify origins, or the event replays stored state, which keeps no signature. */
	NOT_CHECKED,

	/** Signed with the key of the node the change names as its origin. */
	VERIFIED,

	/** Carries no signature (its writer does not sign, or is not a node), or names no origin. */
	UNSIGNED,

	/** Signed, but no member with the claimed node id and a public key is known. */
	UNKNOWN_SIGNER,

	/**
	 * The signature does not match the change and the claimed node's public key, or a membership record changes
	 * a live member's public key: forged or altered.
	 */
	INVALID

}
