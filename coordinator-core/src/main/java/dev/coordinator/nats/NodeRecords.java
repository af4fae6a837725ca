package dev.coordinator.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.KeyValueOptions;
import io.nats.client.PurgeOptions;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers which node ids have run, and the last revision each processed, so that a node restarted after its
 * durable consumer expired can tell that it was away (and what it may have missed) rather than take itself for
 * a new node. Failures here never stop a node: it then only cannot tell.
 *
 * <p>A node's record is the entry {@value #RECORD_PREFIX}{@code <node-id>} of its namespace's own bucket, whose
 * value is the revision in ASCII digits. {@link KeyCodec} never writes a {@code /} into a KV key, so no
 * coordinator key maps to a record, and no namespace can take the place of another's records. Records are
 * messages of the bucket's stream like changes: nodes acknowledge them and do nothing else ({@link #isRecord}),
 * and keys and listings leave them out because they do not decode. The bucket keeps them as it keeps every
 * entry (its history per key) and never expires them, so a node with a configured id is recognised however
 * long it was away. A node whose id was generated for one run removes its record when it stops, and the
 * records of such nodes that crashed are removed by the next node that starts ({@link #sweep}).
 *
 * <p>Releases before this one kept records in a bucket {@code <namespace>_nodes}. A node with no record in its
 * namespace's bucket reads its record there, when that bucket exists and was created for records (by its
 * description, so that a namespace named {@code <namespace>_nodes} is never taken for it); it writes only the
 * new place, and never creates that bucket.
 */
final class NodeRecords {

	private static final Logger logger = LoggerFactory.getLogger(NodeRecords.class);

	/** KV keys beginning with this are reserved for the coordinator; no coordinator key maps to them. */
	static final String RESERVED_PREFIX = "_coordinator/";

	/** Start of the KV key of a node's record, followed by the node id (one more subject token). */
	static final String RECORD_PREFIX = RESERVED_PREFIX + "nodes.";

	/** Marks the record of a node whose id was generated for one run, which no later run resumes. */
	private static final String EPHEMERAL = " ephemeral";

	private static final int CONSUMER_NOT_FOUND = 10014;

	/** Description of the buckets of records that releases before this one created. */
	static final String LEGACY_DESCRIPTION = "Last revision each coordinator node processed";

	private static final int STREAM_NOT_FOUND = 10059;

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final KeyValueOptions options;

	private final String key;

	private final Supplier<KeyValue> records;

	private volatile boolean ephemeral;

	/**
	 * Creates the records of a node.
	 * @param connection the connection
	 * @param settings the node's settings
	 * @param options the options of the requests beside the bucket's (the legacy bucket, purges, consumers)
	 * @param records the coordinator's bucket, once it is set up
	 */
	NodeRecords(Connection connection, NatsCoordinatorSettings settings, KeyValueOptions options,
			Supplier<KeyValue> records) {
		this.connection = connection;
		this.settings = settings;
		this.options = options;
		this.records = records;
		this.key = RECORD_PREFIX + settings.nodeId();
	}

	/**
	 * Sets whether this node's id was generated for this run: its record is then marked so, and removed when
	 * the node stops or, after it crashed, by another node.
	 * @param ephemeral whether the id was generated
	 */
	void setEphemeral(boolean ephemeral) {
		this.ephemeral = ephemeral;
	}

	/**
	 * Returns whether a KV key is the key of a node's record.
	 * @param kvKey the KV key
	 * @return whether it is a record's key
	 */
	static boolean isRecord(String kvKey) {
		return kvKey.startsWith(RECORD_PREFIX);
	}

	/**
	 * Returns whether a message subject is that of a node's record in a bucket, {@code $KV.<bucket>.<record key>}.
	 * @param subject the subject
	 * @param bucket the bucket's name
	 * @return whether it is a record's subject
	 */
	static boolean isRecordSubject(String subject, String bucket) {
		int keyStart = 5 + bucket.length();
		return subject.length() > keyStart && subject.startsWith("$KV.") && subject.startsWith(bucket, 4)
				&& subject.charAt(keyStart - 1) == '.' && subject.startsWith(RECORD_PREFIX, keyStart);
	}

	/**
	 * Returns the last revision recorded for this node.
	 * @return the revision, or -1 when the node has no record (a new node)
	 */
	long lastRecordedRevision() {
		try {
			KeyValueEntry entry = records().get(this.key);
			if (entry != null && entry.getValue() != null) {
				return parse(entry);
			}
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not read the record of node '{}' in '{}': {}", this.settings.nodeId(),
					this.settings.bucketName(), ex.getMessage());
			return -1;
		}
		return legacyRecordedRevision();
	}

	/**
	 * Records the last revision this node processed.
	 * @param revision the revision
	 */
	void record(long revision) {
		try {
			records().put(this.key, (revision + (this.ephemeral ? EPHEMERAL : "")).getBytes(StandardCharsets.US_ASCII));
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not record node '{}' in '{}': {}", this.settings.nodeId(), this.settings.bucketName(),
					ex.getMessage());
		}
	}

	/**
	 * Removes this node's record from the log (a node with a generated id that stops: no later run resumes it).
	 */
	void forget() {
		purge(this.key);
	}

	/**
	 * Removes the records of nodes with generated ids that are gone: their consumer no longer exists and their
	 * record is older than the consumer's inactive threshold (they crashed, or stopped before this release
	 * removed records). Records of nodes with configured ids are kept: such a node may come back and resume.
	 */
	void sweep() {
		Duration threshold = this.settings.consumer().inactiveThreshold();
		try {
			JetStreamManagement management = this.connection.jetStreamManagement(this.options.getJetStreamOptions());
			for (String recordKey : records().keys(RECORD_PREFIX + "*")) {
				if (recordKey.equals(this.key)) {
					continue;
				}
				KeyValueEntry entry = records().get(recordKey);
				if (entry == null || entry.getValue() == null
						|| !new String(entry.getValue(), StandardCharsets.US_ASCII).endsWith(EPHEMERAL)
						|| entry.getCreated().toInstant().plus(threshold).isAfter(Instant.now())) {
					continue;
				}
				String nodeId = recordKey.substring(RECORD_PREFIX.length());
				if (!consumerExists(management, nodeId)) {
					purge(recordKey);
					logger.info("Removed the record of node '{}', whose id was generated and which is gone",
							nodeId);
				}
			}
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not look for records of nodes that are gone in '{}': {}", this.settings.bucketName(),
					ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private boolean consumerExists(JetStreamManagement management, String nodeId)
			throws IOException, JetStreamApiException {
		try {
			management.getConsumerInfo(this.settings.streamName(), this.settings.namespace() + "_" + nodeId);
			return true;
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() == CONSUMER_NOT_FOUND) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * Removes every message of a record from the log, so that nothing of it remains (a KV delete would leave a
	 * marker per node id).
	 */
	private void purge(String recordKey) {
		try {
			this.connection.jetStreamManagement(this.options.getJetStreamOptions())
				.purgeStream(this.settings.streamName(),
						PurgeOptions.subject("$KV." + this.settings.bucketName() + "." + recordKey));
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not remove record '{}' from '{}': {}", recordKey, this.settings.bucketName(),
					ex.getMessage());
		}
	}

	/**
	 * Reads this node's record in the bucket {@code <namespace>_nodes} of earlier releases, if there is one.
	 */
	private long legacyRecordedRevision() {
		String legacy = this.settings.namespace() + "_nodes";
		try {
			KeyValueManagement management = this.connection.keyValueManagement(this.options);
			KeyValueStatus status;
			try {
				status = management.getStatus(legacy);
			}
			catch (JetStreamApiException ex) {
				if (ex.getApiErrorCode() == STREAM_NOT_FOUND) {
					return -1;
				}
				throw ex;
			}
			if (!LEGACY_DESCRIPTION.equals(status.getDescription())) {
				return -1;
			}
			KeyValueEntry entry = this.connection.keyValue(legacy, this.options).get(this.settings.nodeId());
			return (entry != null && entry.getValue() != null) ? parse(entry) : -1;
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not read the record of node '{}' in '{}': {}", this.settings.nodeId(), legacy,
					ex.getMessage());
			return -1;
		}
	}

	private KeyValue records() {
		return this.records.get();
	}

	private static long parse(KeyValueEntry entry) {
		String value = new String(entry.getValue(), StandardCharsets.US_ASCII);
		return Long.parseLong(value.endsWith(EPHEMERAL) ? value.substring(0, value.length() - EPHEMERAL.length()) : value);
	}

}
