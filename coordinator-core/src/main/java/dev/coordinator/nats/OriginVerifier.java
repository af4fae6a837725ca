package dev.coordinator.nats;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.OriginVerification;
import io.nats.client.JetStreamApiException;
import io.nats.client.NKey;
import io.nats.client.api.MessageInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies the origin of the changes a node receives ({@code coordinator.origin.verify}): the signature a writer
 * sent ({@code Coordinator-Signature}) must verify against the public key that the node named as the origin
 * published in its membership record.
 *
 * <p>Public keys are trusted on first use, per node id: the first record of a node that is signed by the key it
 * carries decides that node's key, until a verified delete of the record (the node left or expired). A record
 * that names another key while the trusted one is still there is {@link OriginVerification#INVALID}. A node id
 * met before any of its records passed through this node is looked up once in the bucket (the latest record,
 * read from the stream's leader), so that a node started after the others knows their keys at once.
 *
 * <p>Used by the {@link EventLogContainer} on its reader thread; replayed state and silent changes are not
 * verified.
 */
public class OriginVerifier {

	private static final Logger logger = LoggerFactory.getLogger(OriginVerifier.class);

	/** Node ids remembered as unknown at most; the set starts over beyond it (claimed origins are anyone's). */
	private static final int MAX_UNKNOWN = 1024;

	private static final ObjectMapper JSON = new ObjectMapper();

	private final NatsCoordinator coordinator;

	private final String membershipPrefix;

	private final Policy policy;

	private final String subjectPrefix;

	private final Map<String, String> trusted = new ConcurrentHashMap<>();

	private final Set<String> unknown = ConcurrentHashMap.newKeySet();

	/**
	 * Creates a verifier.
	 * @param coordinator the coordinator whose changes are verified; its {@link OriginSigner}, if any, is this
	 * node's own key
	 * @param membershipPrefix where the members' records (with their public keys) are, e.g. {@code /nodes/}
	 * @param policy what becomes of changes that are not verified
	 */
	public OriginVerifier(NatsCoordinator coordinator, String membershipPrefix, Policy policy) {
		this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
		this.membershipPrefix = Objects.requireNonNull(membershipPrefix, "membershipPrefix");
		this.policy = Objects.requireNonNull(policy, "policy");
		this.subjectPrefix = "$KV." + coordinator.getSettings().bucketName() + ".";
		OriginSigner signer = coordinator.getOriginSigner();
		if (signer != null) {
			this.trusted.put(coordinator.nodeId(), signer.publicKey());
		}
	}

	/**
	 * Returns what becomes of changes that are not verified.
	 * @return the policy
	 */
	public Policy getPolicy() {
		return this.policy;
	}

	/**
	 * Verifies the origin of a change read from the log, and learns the public keys its membership records carry.
	 * @param change the change
	 * @param kvKey its key as stored
	 * @return what was found
	 */
	OriginVerification verify(WireFormat.Change change, String kvKey) {
		String origin = change.origin();
		if (origin == null || change.signature() == null) {
			return OriginVerification.UNSIGNED;
		}
		String recordOf = recordNodeId(change.key());
		if (origin.equals(recordOf) && change.action() == CoordinatorAction.PUT) {
			return verifyOwnRecord(change, kvKey, origin);
		}
		String publicKey = publicKeyOf(origin);
		if (publicKey == null) {
			return OriginVerification.UNKNOWN_SIGNER;
		}
		OriginVerification verification = check(change, kvKey, publicKey);
		if (verification == OriginVerification.VERIFIED && recordOf != null
				&& change.action() == CoordinatorAction.DELETE) {
			// The member left or expired: its next record may bring another key.
			this.trusted.remove(recordOf);
		}
		return verification;
	}

	/**
	 * A node's own membership record: signed by the key it carries, and that key is the one trusted for the node
	 * (or none is yet).
	 */
	private OriginVerification verifyOwnRecord(WireFormat.Change change, String kvKey, String nodeId) {
		String carried = publicKeyIn(change.value());
		if (carried == null) {
			return OriginVerification.UNKNOWN_SIGNER;
		}
		if (check(change, kvKey, carried) != OriginVerification.VERIFIED) {
			return OriginVerification.INVALID;
		}
		String known = this.trusted.putIfAbsent(nodeId, carried);
		if (known != null && !known.equals(carried)) {
			logger.warn("The membership record of node '{}' (revision {}) names public key {}, but this node trusts "
					+ "key {} for it while its earlier record has not been deleted: the record is rejected. A node "
					+ "that changes its key must leave (or expire) before it registers with the new one.", nodeId,
					change.revision(), carried, known);
			return OriginVerification.INVALID;
		}
		this.unknown.remove(nodeId);
		return OriginVerification.VERIFIED;
	}

	private @Nullable String recordNodeId(String key) {
		if (!key.startsWith(this.membershipPrefix)) {
			return null;
		}
		String nodeId = key.substring(this.membershipPrefix.length());
		return NatsCoordinatorSettings.isValidName(nodeId) ? nodeId : null;
	}

	/**
	 * The trusted key of a node; for a node not met yet, the key of its latest membership record, when that
	 * record is its own and signed by the key it carries.
	 */
	private @Nullable String publicKeyOf(String nodeId) {
		String known = this.trusted.get(nodeId);
		if (known != null || this.unknown.contains(nodeId) || !NatsCoordinatorSettings.isValidName(nodeId)) {
			return known;
		}
		String recordKey = KeyCodec.encode(this.membershipPrefix + nodeId);
		try {
			MessageInfo latest = this.coordinator.getLeaderReads().lastOn(this.subjectPrefix + recordKey);
			if (latest != null) {
				WireFormat.Change record = WireFormat.read(latest.getSubject(), latest.getHeaders(), latest.getData(),
						latest.getSeq(), latest.getTime().toInstant(), this.subjectPrefix);
				if (record.signature() != null && nodeId.equals(record.origin())
						&& verifyOwnRecord(record, recordKey, nodeId) == OriginVerification.VERIFIED) {
					return this.trusted.get(nodeId);
				}
			}
		}
		catch (IOException | JetStreamApiException ex) {
			logger.warn("Could not read the membership record of node '{}' to verify a change it signed: {}",
					nodeId, ex.getMessage());
			return null;
		}
		catch (WireFormat.MalformedMessageException ex) {
			// Not a record of this format: no key to learn.
		}
		if (this.unknown.size() >= MAX_UNKNOWN) {
			this.unknown.clear();
		}
		this.unknown.add(nodeId);
		return null;
	}

	private static @Nullable String publicKeyIn(byte @Nullable [] record) {
		if (record == null) {
			return null;
		}
		try {
			JsonNode publicKey = JSON.readTree(record).path("publicKey");
			return (publicKey.isTextual() && NKey.isValidPublicUserKey(publicKey.asText().toCharArray()))
					? publicKey.asText() : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static OriginVerification check(WireFormat.Change change, String kvKey, String publicKey) {
		String origin = Objects.requireNonNull(change.origin());
		String signature = Objects.requireNonNull(change.signature());
		try {
			byte[] signed = WireFormat.signedBytes(kvKey, change.action(), change.body(), origin,
					change.notifyListeners());
			boolean valid = NKey.fromPublicKey(publicKey.toCharArray())
				.verify(signed, Base64.getUrlDecoder().decode(signature));
			return valid ? OriginVerification.VERIFIED : OriginVerification.INVALID;
		}
		catch (GeneralSecurityException | IOException | RuntimeException ex) {
			// Not base64url, or not a signature of this key's kind.
			return OriginVerification.INVALID;
		}
	}

	@Override
	public String toString() {
		return "OriginVerifier[" + this.policy + ", members under " + this.membershipPrefix + "]";
	}

	/**
	 * What becomes of a change whose origin is not {@link OriginVerification#VERIFIED}.
	 */
	public enum Policy {

		/** Delivered, with its {@link dev.coordinator.CoordinatorEvent#getOriginVerification() verification}. */
		FLAG,

		/** Not delivered to listeners: acknowledged, counted as rejected and logged once per origin. */
		DROP

	}

}
