package dev.coordinator.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Consumer;

import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerInfo;

/**
 * The raw jnats side of a comparison: one connection, used to write to a KV bucket and to read its stream
 * with a durable pull consumer, the way an application would without the library.
 */
final class RawNode implements AutoCloseable {

	private static final long POLL_MILLIS = 20;

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private final Connection connection;

	private final JetStream jetStream;

	private RawNode(Connection connection) throws IOException {
		this.connection = connection;
		this.jetStream = connection.jetStream();
	}

	static RawNode connect(String url, String name) {
		try {
			return new RawNode(Nats.connect(Options.builder().server(url).connectionName(name).build()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while connecting to " + url, ex);
		}
	}

	Connection connection() {
		return this.connection;
	}

	JetStream jetStream() {
		return this.jetStream;
	}

	JetStreamManagement management() {
		try {
			return this.connection.jetStreamManagement();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Creates a bucket with the same limits as the library's.
	 */
	void createBucket(String bucket, BucketAndConsumerSettings settings) {
		try {
			this.connection.keyValueManagement().create(settings.bucket(bucket));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (JetStreamApiException ex) {
			throw new IllegalStateException("Could not create bucket '" + bucket + "'", ex);
		}
	}

	/**
	 * Returns a bucket whose JetStream requests wait up to {@link #REQUEST_TIMEOUT}: on a loaded machine, creating
	 * the ordered consumer of a watch over many keys can take longer than jnats's 2 s default.
	 */
	KeyValue keyValue(String bucket) {
		try {
			return this.connection.keyValue(bucket, KeyValueOptions.builder()
				.jetStreamOptions(JetStreamOptions.builder().requestTimeout(REQUEST_TIMEOUT).build())
				.build());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Creates a durable consumer of a bucket's stream that receives what is written from now on.
	 */
	void createConsumer(String bucket, String durable, BucketAndConsumerSettings settings) {
		try {
			management().addOrUpdateConsumer("KV_" + bucket, settings.consumer(durable));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (JetStreamApiException ex) {
			throw new IllegalStateException("Could not create consumer '" + durable + "'", ex);
		}
	}

	/**
	 * Starts reading a durable consumer, handing each message to a handler and then acknowledging it as its
	 * ack policy asks (with {@code All}, every {@code batchSize / 2} messages).
	 */
	MessageConsumer consume(String bucket, String durable, BucketAndConsumerSettings settings,
			Consumer<Message> handler) {
		ConsumeOptions options = ConsumeOptions.builder().batchSize(settings.batchSize()).build();
		int ackEvery = Math.max(1, settings.batchSize() / 2);
		AckPolicy ackPolicy = settings.ackPolicy();
		try {
			return this.connection.getConsumerContext("KV_" + bucket, durable).consume(options, (message) -> {
				handler.accept(message);
				if (ackPolicy == AckPolicy.Explicit
						|| (ackPolicy == AckPolicy.All && message.metaData().streamSequence() % ackEvery == 0)) {
					message.ack();
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (JetStreamApiException ex) {
			throw new IllegalStateException("Could not read consumer '" + durable + "'", ex);
		}
	}

	/**
	 * Waits until a durable consumer got every message of its stream and, when it acknowledges each, acknowledged
	 * them, so that a consumer that lags behind the writes measured last does not take CPU from the next ones.
	 * @param connection a connection to the server
	 * @param stream the stream
	 * @param durable the consumer
	 * @param ackPolicy the consumer's ack policy
	 */
	static void awaitCaughtUp(Connection connection, String stream, String durable, AckPolicy ackPolicy)
			throws InterruptedException {
		long deadline = System.nanoTime() + BenchmarkRun.TIMEOUT.toNanos();
		try {
			JetStreamManagement management = connection.jetStreamManagement();
			while (true) {
				ConsumerInfo info = management.getConsumerInfo(stream, durable);
				if (info.getNumPending() == 0 && (ackPolicy != AckPolicy.Explicit || info.getNumAckPending() == 0)) {
					return;
				}
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Consumer '" + durable + "' of '" + stream + "' has "
							+ info.getNumPending() + " messages pending after " + BenchmarkRun.TIMEOUT);
				}
				Thread.sleep(POLL_MILLIS);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (JetStreamApiException ex) {
			throw new IllegalStateException("Could not read consumer '" + durable + "'", ex);
		}
	}

	/**
	 * Removes every message of a bucket's stream.
	 */
	void purge(String bucket) {
		try {
			management().purgeStream("KV_" + bucket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (JetStreamApiException ex) {
			throw new IllegalStateException("Could not purge bucket '" + bucket + "'", ex);
		}
	}

	@Override
	public void close() {
		try {
			this.connection.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
