package dev.coordinator.benchmarks;

import java.io.IOException;
import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.KeyValueStatus;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What an application that reads the coordinator bucket's log with raw jnats does at start, in beans: connect,
 * read the bucket's status and create (or update) a durable consumer of its own with the library's consumer
 * settings. Scenario 5 adds it by name ({@code --spring.main.sources}) to the probe's application only in its
 * raw jnats variant, whose class path has jnats and no starter; the other variants never load it.
 */
@Configuration(proxyBeanMethods = false)
class RawJnatsStartup {

	/** Prefix of the properties that carry the library's consumer settings to this variant. */
	static final String CONSUMER_PROPERTIES = "startup-probe.consumer.";

	@Bean(name = StartupProbe.CONNECTION_BEAN, destroyMethod = "close")
	Connection natsConnection(@Value("${coordinator.nats.servers}") String server,
			@Value("${coordinator.node-id}") String nodeId) throws IOException, InterruptedException {
		return Nats.connect(Options.builder().server(server).connectionName(nodeId).build());
	}

	@Bean(name = StartupProbe.RAW_BUCKET_BEAN)
	KeyValueStatus rawBucketStatus(Connection natsConnection, @Value("${coordinator.namespace}") String bucket)
			throws IOException, JetStreamApiException {
		return natsConnection.keyValueManagement().getStatus(bucket);
	}

	@Bean(name = StartupProbe.RAW_CONSUMER_BEAN)
	ConsumerInfo rawLogConsumer(Connection natsConnection, KeyValueStatus rawBucketStatus,
			@Value("${coordinator.node-id}") String nodeId,
			@Value("${" + CONSUMER_PROPERTIES + "ack-wait-millis}") long ackWaitMillis,
			@Value("${" + CONSUMER_PROPERTIES + "max-ack-pending}") int maxAckPending,
			@Value("${" + CONSUMER_PROPERTIES + "inactive-threshold-millis}") long inactiveThresholdMillis)
			throws IOException, JetStreamApiException {
		ConsumerConfiguration consumer = ConsumerConfiguration.builder()
			.durable(rawBucketStatus.getBucketName() + "_" + nodeId)
			.deliverPolicy(DeliverPolicy.New)
			.ackPolicy(AckPolicy.All)
			.ackWait(Duration.ofMillis(ackWaitMillis))
			.maxAckPending(maxAckPending)
			.inactiveThreshold(Duration.ofMillis(inactiveThresholdMillis))
			.build();
		return natsConnection.jetStreamManagement().addOrUpdateConsumer("KV_" + rawBucketStatus.getBucketName(), consumer);
	}

}
