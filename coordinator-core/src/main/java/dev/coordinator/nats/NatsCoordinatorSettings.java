package dev.coordinator.nats;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.coordinator.InvalidSettingException;
import io.nats.client.api.StorageType;

/**
 * Settings of a {@link NatsCoordinator}: who the node is, which bucket it shares, and how it reads the
 * bucket's event log. The Spring Boot auto-configuration fills them from {@code coordinator.*} properties.
 *
 * @param nodeId id of this node; names its durable consumer, so a node restarted with the same id resumes
 * where it left off
 * @param namespace name of the KV bucket (its stream is {@code KV_<namespace>}); nodes that share it
 * coordinate with each other
 * @param bucket settings used to create the bucket
 * @param consumer settings of this node's durable consumer
 * @param write settings of writes
 * @param read settings of reads
 * @param deadLetters where events that listeners failed on are recorded
 */
public record NatsCoordinatorSettings(String nodeId, String namespace, Bucket bucket, Consumer consumer,
		Write write, Read read, DeadLetters deadLetters) {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

	/**
	 * Creates settings.
	 * @param nodeId the node id
	 * @param namespace the namespace
	 * @param bucket bucket settings
	 * @param consumer consumer settings
	 * @param write write settings
	 * @param read read settings
	 * @param deadLetters dead-letter settings
	 */
	public NatsCoordinatorSettings {
		requireName("node id", nodeId);
		requireName("namespace", namespace);
		Objects.requireNonNull(bucket, "bucket");
		Objects.requireNonNull(consumer, "consumer");
		Objects.requireNonNull(write, "write");
		Objects.requireNonNull(read, "read");
		Objects.requireNonNull(deadLetters, "deadLetters");
	}

	/**
	 * Returns settings with this library's defaults for a node.
	 * @param nodeId the node id
	 * @param namespace the namespace
	 * @return the settings
	 */
	public static NatsCoordinatorSettings defaults(String nodeId, String namespace) {
		return new NatsCoordinatorSettings(nodeId, namespace, Bucket.DEFAULTS, Consumer.DEFAULTS, Write.DEFAULTS,
				Read.DEFAULTS, DeadLetters.DEFAULTS);
	}

	/**
	 * Returns whether a value is usable as a node id or namespace: 1 to 64 ASCII letters, digits, '-' or '_'.
	 * @param value the value
	 * @return whether it is valid
	 */
	public static boolean isValidName(String value) {
		return value != null && NAME.matcher(value).matches();
	}

	/**
	 * Returns the name of the KV bucket.
	 * @return the bucket name
	 */
	public String bucketName() {
		return this.namespace;
	}

	/**
	 * Returns the name of the bucket's stream, the log of events.
	 * @return the stream name
	 */
	public String streamName() {
		return "KV_" + this.namespace;
	}

	/**
	 * Returns the name of the stream that holds the dead letters of all nodes.
	 * @return the stream name
	 */
	public String deadLetterStreamName() {
		return this.namespace + "_dead_letters";
	}

	/**
	 * Returns the prefix of the subjects this node records its dead letters on: a dead letter of a key is
	 * recorded on this prefix followed by {@code .} and the key as stored.
	 * @return the subject prefix
	 */
	public String deadLetterSubject() {
		return "coordinator-dead-letters." + this.namespace + "." + this.nodeId;
	}

	/**
	 * Returns the name of this node's durable consumer.
	 * @return the durable consumer name
	 */
	public String durableName() {
		return this.namespace + "_" + this.nodeId;
	}

	private static void requireName(String what, String value) {
		if (!isValidName(value)) {
			throw new IllegalArgumentException("Invalid " + what + " '" + value
					+ "': use 1 to 64 ASCII letters, digits, '-' or '_'");
		}
	}

	/**
	 * Settings used to create the KV bucket. An existing bucket whose settings differ is reported, not
	 * changed.
	 *
	 * @param history revisions kept per key (1 to 64)
	 * @param storage where the server stores the bucket
	 * @param replicas copies of the bucket in a JetStream cluster (1 to 5)
	 * @param maxValueSize largest value in bytes, or -1 for the server's limit
	 */
	public record Bucket(int history, StorageType storage, int replicas, long maxValueSize) {

		/** One revision per key, file storage, one replica, values up to 1 MiB. */
		public static final Bucket DEFAULTS = new Bucket(1, StorageType.File, 1, 1024 * 1024);

		/**
		 * Creates bucket settings.
		 * @param history revisions kept per key
		 * @param storage storage type
		 * @param replicas replicas
		 * @param maxValueSize largest value in bytes, or -1
		 */
		public Bucket {
			if (history < 1 || history > 64) {
				throw new InvalidSettingException("history", history, "Bucket history must be 1 to 64, not " + history);
			}
			Objects.requireNonNull(storage, "storage");
			if (replicas < 1 || replicas > 5) {
				throw new InvalidSettingException("replicas", replicas, "Bucket replicas must be 1 to 5, not " + replicas);
			}
			if (maxValueSize < -1 || maxValueSize == 0) {
				throw new InvalidSettingException("maxValueSize", maxValueSize,
						"Bucket max value size must be positive or -1, not " + maxValueSize);
			}
		}

	}

	/**
	 * Settings of this node's durable consumer of the event log.
	 *
	 * @param ackWait how long the server waits for an event's acknowledgement before it delivers the event
	 * again; longer than the slowest listener
	 * @param maxAckPending events delivered to this node and not yet acknowledged, at most
	 * @param inactiveThreshold how long the consumer of a node that is gone is kept; a node restarted within it
	 * resumes where it left off
	 * @param batchSize events fetched per pull request
	 * @param shutdownTimeout how long stopping waits for events already received to be delivered
	 */
	public record Consumer(Duration ackWait, int maxAckPending, Duration inactiveThreshold, int batchSize,
			Duration shutdownTimeout) {

		/** Ack wait 30 s, 1,000 pending, kept 1 h after the node is gone, batches of 256, 10 s to stop. */
		public static final Consumer DEFAULTS = new Consumer(Duration.ofSeconds(30), 1000, Duration.ofHours(1), 256,
				Duration.ofSeconds(10));

		/**
		 * Creates consumer settings.
		 * @param ackWait ack wait
		 * @param maxAckPending max ack pending
		 * @param inactiveThreshold inactive threshold
		 * @param batchSize batch size
		 * @param shutdownTimeout shutdown timeout
		 */
		public Consumer {
			requirePositive("ackWait", "ack wait", ackWait);
			requirePositive("inactiveThreshold", "inactive threshold", inactiveThreshold);
			requirePositive("shutdownTimeout", "shutdown timeout", shutdownTimeout);
			if (maxAckPending < 1) {
				throw new InvalidSettingException("maxAckPending", maxAckPending,
						"Max ack pending must be positive, not " + maxAckPending);
			}
			if (batchSize < 1 || batchSize > maxAckPending) {
				throw new InvalidSettingException("batchSize", batchSize, "Batch size must be 1 to max ack pending (" + maxAckPending
						+ "), not " + batchSize);
			}
		}

	}

	/**
	 * Settings of writes.
	 *
	 * @param timeout how long a write waits for the server's acknowledgement per attempt
	 * @param attempts how often a write whose acknowledgement did not arrive is sent again; a write sent again
	 * is stored once
	 */
	public record Write(Duration timeout, int attempts) {

		/** 5 s per attempt, 3 attempts. */
		public static final Write DEFAULTS = new Write(Duration.ofSeconds(5), 3);

		/**
		 * Creates write settings.
		 * @param timeout timeout per attempt
		 * @param attempts attempts
		 */
		public Write {
			requirePositive("timeout", "write timeout", timeout);
			if (attempts < 1) {
				throw new InvalidSettingException("attempts", attempts, "Write attempts must be at least 1, not " + attempts);
			}
		}

		/**
		 * Returns how long a write may take in all: every attempt's timeout.
		 * @return the budget
		 */
		public Duration budget() {
			return this.timeout.multipliedBy(this.attempts);
		}

	}

	/**
	 * Settings of reads ({@code get}, {@code keys}, {@code list}, and the reads of the event reader).
	 *
	 * @param timeout how long a read waits for an answer; a listing fails when no entry arrived for this long,
	 * however long the whole listing takes; each further attempt of a listing waits twice as long as the one
	 * before, up to 16 times this
	 * @param attempts how often a read that got no answer is made again (reads change nothing)
	 */
	public record Read(Duration timeout, int attempts) {

		/** 5 s per attempt, 3 attempts. */
		public static final Read DEFAULTS = new Read(Duration.ofSeconds(5), 3);

		/**
		 * Creates read settings.
		 * @param timeout timeout per attempt, and longest pause of a listing
		 * @param attempts attempts
		 */
		public Read {
			requirePositive("timeout", "read timeout", timeout);
			if (attempts < 1) {
				throw new InvalidSettingException("attempts", attempts, "Read attempts must be at least 1, not " + attempts);
			}
		}

	}

	/**
	 * Where the events that a listener failed on in every attempt, and the messages that are not changes, are
	 * recorded for operators: the stream {@code <namespace>_dead_letters}, one subject per node and key. The
	 * oldest are dropped when the stream holds more than {@code maxMessages} or {@code maxBytes}.
	 *
	 * @param enabled whether to record dead letters (they are logged either way)
	 * @param maxAge how long the stream keeps a dead letter
	 * @param maxMessages dead letters the stream keeps at most
	 * @param maxBytes bytes the stream keeps at most
	 */
	public record DeadLetters(boolean enabled, Duration maxAge, long maxMessages, long maxBytes) {

		/** Recorded, kept 7 days, at most 10,000 and 64 MiB. */
		public static final DeadLetters DEFAULTS = new DeadLetters(true, Duration.ofDays(7), 10_000, 64L * 1024 * 1024);

		/**
		 * Creates dead-letter settings.
		 * @param enabled whether to record
		 * @param maxAge how long to keep
		 * @param maxMessages how many to keep
		 * @param maxBytes how many bytes to keep
		 */
		public DeadLetters {
			requirePositive("maxAge", "dead letter max age", maxAge);
			if (maxMessages < 1) {
				throw new InvalidSettingException("maxMessages", maxMessages,
						"Dead letter max messages must be positive, not " + maxMessages);
			}
			if (maxBytes < 1) {
				throw new InvalidSettingException("maxBytes", maxBytes,
						"Dead letter max bytes must be positive, not " + maxBytes);
			}
		}

	}

	private static void requirePositive(String setting, String what, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidSettingException(setting, value, what + " must be positive, not " + value);
		}
	}

}
