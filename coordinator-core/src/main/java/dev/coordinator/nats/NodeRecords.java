package dev.coordinator.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.KeyValueOptions;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers which node ids have run, and the last revision each processed, in the KV bucket
 * {@code <namespace>_nodes}, so that a node restarted after its durable consumer expired can tell that it
 * was away (and what it may have missed) rather than take itself for a new node. Records expire after
 * {@link #KEPT} without a write. Failures here never stop a node: it then only cannot tell.
 */
final class NodeRecords {

	private static final Logger logger = LoggerFactory.getLogger(NodeRecords.class);

	/** How long the record of a node that stopped writing it is kept. */
	static final Duration KEPT = Duration.ofDays(30);

	/** KV keys beginning with this are reserved for the coordinator; no coordinator key maps to them. */
	static final String RESERVED_PREFIX = "_coordinator/";

	/** Start of the KV key of a node's record, followed by the node id. */
	static final String RECORD_PREFIX = RESERVED_PREFIX + "nodes/";

	private final Connection connection;

	private final NatsCoordinatorSettings settings;

	private final KeyValueOptions options;

	private KeyValue records;

	NodeRecords(Connection connection, NatsCoordinatorSettings settings, KeyValueOptions options) {
		this.connection = connection;
		this.settings = settings;
		this.options = options;
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
	 * @return the revision, or -1 when the node has no record (a new node, or one away longer than kept)
	 */
	long lastRecordedRevision() {
		try {
			KeyValueEntry entry = records().get(this.settings.nodeId());
			return (entry != null && entry.getValue() != null)
					? Long.parseLong(new String(entry.getValue(), StandardCharsets.US_ASCII)) : -1;
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not read the record of node '{}' in '{}': {}", this.settings.nodeId(), bucketName(),
					ex.getMessage());
			return -1;
		}
	}

	/**
	 * Records the last revision this node processed.
	 * @param revision the revision
	 */
	void record(long revision) {
		try {
			records().put(this.settings.nodeId(), Long.toString(revision).getBytes(StandardCharsets.US_ASCII));
		}
		catch (IOException | JetStreamApiException | RuntimeException ex) {
			logger.warn("Could not record node '{}' in '{}': {}", this.settings.nodeId(), bucketName(), ex.getMessage());
		}
	}

	private KeyValue records() throws IOException, JetStreamApiException {
		if (this.records == null) {
			KeyValueManagement management = this.connection.keyValueManagement(this.options);
			try {
				management.getStatus(bucketName());
			}
			catch (JetStreamApiException ex) {
				if (ex.getApiErrorCode() != 10059) {
					throw ex;
				}
				management.create(KeyValueConfiguration.builder()
					.name(bucketName())
					.description("Last revision each coordinator node processed")
					.maxHistoryPerKey(1)
					.ttl(KEPT)
					.storageType(this.settings.bucket().storage())
					.replicas(this.settings.bucket().replicas())
					.build());
			}
			this.records = this.connection.keyValue(bucketName(), this.options);
		}
		return this.records;
	}

	private String bucketName() {
		return this.settings.namespace() + "_nodes";
	}

}
