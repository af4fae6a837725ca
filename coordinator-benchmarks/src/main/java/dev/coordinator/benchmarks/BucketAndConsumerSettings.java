package dev.coordinator.benchmarks;

import java.util.List;

import dev.coordinator.nats.NatsCoordinatorSettings;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;

/**
 * The bucket and consumer settings that both sides of a comparison use: the library gets them as
 * {@code coordinator.*} properties, raw jnats as the same KV and consumer configuration.
 *
 * @param history revisions kept per key
 * @param storage where the server stores the bucket
 * @param batchSize messages fetched per pull request
 * @param maxAckPending messages delivered and not yet acknowledged, at most
 * @param ackPolicy acknowledgement policy of raw consumers (the library acknowledges cumulatively, ack policy all)
 * @param replicas copies of the bucket in a JetStream cluster (its consumers get as many)
 */
record BucketAndConsumerSettings(int history, StorageType storage, int batchSize, int maxAckPending,
		AckPolicy ackPolicy, int replicas) {

	/** The library's defaults. */
	static final BucketAndConsumerSettings DEFAULTS = new BucketAndConsumerSettings(
			NatsCoordinatorSettings.Bucket.DEFAULTS.history(), NatsCoordinatorSettings.Bucket.DEFAULTS.storage(),
			NatsCoordinatorSettings.Consumer.DEFAULTS.batchSize(),
			NatsCoordinatorSettings.Consumer.DEFAULTS.maxAckPending(), AckPolicy.All,
			NatsCoordinatorSettings.Bucket.DEFAULTS.replicas());

	BucketAndConsumerSettings withBucket(int history, StorageType storage) {
		return new BucketAndConsumerSettings(history, storage, this.batchSize, this.maxAckPending, this.ackPolicy,
				this.replicas);
	}

	BucketAndConsumerSettings withConsumer(int batchSize, int maxAckPending) {
		return new BucketAndConsumerSettings(this.history, this.storage, batchSize, maxAckPending, this.ackPolicy,
				this.replicas);
	}

	BucketAndConsumerSettings withAckPolicy(AckPolicy ackPolicy) {
		return new BucketAndConsumerSettings(this.history, this.storage, this.batchSize, this.maxAckPending, ackPolicy,
				this.replicas);
	}

	/**
	 * Returns these settings with a number of copies of the bucket, for a JetStream cluster.
	 */
	BucketAndConsumerSettings withReplicas(int replicas) {
		return new BucketAndConsumerSettings(this.history, this.storage, this.batchSize, this.maxAckPending,
				this.ackPolicy, replicas);
	}

	/**
	 * Returns the properties that give a library node these settings.
	 */
	List<String> properties() {
		return List.of("coordinator.bucket.history=" + this.history, "coordinator.bucket.storage=" + this.storage,
				"coordinator.bucket.replicas=" + this.replicas,
				"coordinator.consumer.batch-size=" + this.batchSize,
				"coordinator.consumer.max-ack-pending=" + this.maxAckPending);
	}

	/**
	 * Returns the configuration of a raw bucket with the limits the library gives its bucket.
	 */
	KeyValueConfiguration bucket(String name) {
		return KeyValueConfiguration.builder()
			.name(name)
			.maxHistoryPerKey(this.history)
			.storageType(this.storage)
			.replicas(this.replicas)
			.maxValueSize(NatsCoordinatorSettings.Bucket.DEFAULTS.maxValueSize())
			.build();
	}

	/**
	 * Returns the configuration of a raw durable consumer like the one the library creates per node.
	 */
	ConsumerConfiguration consumer(String durable) {
		NatsCoordinatorSettings.Consumer defaults = NatsCoordinatorSettings.Consumer.DEFAULTS;
		ConsumerConfiguration.Builder builder = ConsumerConfiguration.builder()
			.durable(durable)
			.deliverPolicy(DeliverPolicy.New)
			.ackPolicy(this.ackPolicy)
			.inactiveThreshold(defaults.inactiveThreshold());
		if (this.ackPolicy != AckPolicy.None) {
			builder.ackWait(defaults.ackWait()).maxAckPending(this.maxAckPending);
		}
		return builder.build();
	}

	@Override
	public String toString() {
		String text = "history " + this.history + ", " + this.storage + " storage, "
				+ ((this.replicas != 1) ? this.replicas + " replicas, " : "") + "batch " + this.batchSize
				+ ", max ack pending " + this.maxAckPending;
		return (this.ackPolicy != AckPolicy.Explicit) ? text + ", ack " + this.ackPolicy : text;
	}

}
