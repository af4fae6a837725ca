package dev.coordinator.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.coordinator.Coordinator;
import dev.coordinator.nats.KeyCodec;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.NUID;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import org.jspecify.annotations.Nullable;

/**
 * Splits what a library write costs over raw {@code KeyValue.put} into its parts ({@code --breakdown}): raw
 * publishes to the bucket's subject that add, one at a time, the writing node's own consumer of the bucket and
 * what a library write carries (its headers, a message id), then the library itself. Each variant is measured
 * as sync puts (with the CPU time the server and this JVM spent per write), as the latency from a write to its
 * receipt on a second connection, one write at a time, and as pipelined writes.
 */
final class CostBreakdown {

	private static final int KEYS = 1_000;

	private CostBreakdown() {
	}

	static void run(BenchmarkOptions options, PrintStream out) throws Exception {
		try (NatsServerProcess server = NatsServerProcess.start()) {
			CoordinatorBenchmark.printHeader(server, options, out);
			BenchmarkRun run = BenchmarkRun.create(server.url(), options, BucketAndConsumerSettings.DEFAULTS);
			CoordinatorBenchmark.warmUp(run);
			List<Variant> variants = List.of(new Variant("raw KeyValue.put, no consumer", false, false, false),
					new Variant("+ writer's own consumer (= raw baseline)", false, false, true),
					new Variant("+ Coordinator-Origin header", true, false, true),
					new Variant("+ Nats-Msg-Id (= what a library write sends)", true, true, true), Variant.LIBRARY);
			CpuClock clock = CpuClock.forServer(server.url());
			Map<Variant, List<double[]>> figures = new LinkedHashMap<>();
			Map<Variant, List<Long>> latencies = new LinkedHashMap<>();
			try (LibraryNode node = LibraryNode.start(server.url(), "cb", "writer", run.settings());
					LibraryNode libraryReader = LibraryNode.start(server.url(), "cb", "reader", run.settings());
					RawNode raw = RawNode.connect(server.url(), "raw-cb");
					RawNode rawReader = RawNode.connect(server.url(), "raw-cb-reader")) {
				List<Workload> workloads = new ArrayList<>();
				List<MessageConsumer> consumers = new ArrayList<>();
				for (int i = 0; i < variants.size(); i++) {
					Variant variant = variants.get(i);
					workloads.add((variant == Variant.LIBRARY) ? library(run, node, libraryReader)
							: raw(run, raw, rawReader, "cb" + i, variant, consumers));
				}
				for (int round = -1; round < options.rounds(); round++) {
					for (int j = 0; j < variants.size(); j++) {
						int i = (round % 2 == 0) ? j : variants.size() - 1 - j;
						List<Long> roundLatencies = new ArrayList<>();
						double[] measured = measure(run, workloads.get(i), clock, roundLatencies);
						if (round >= 0) {
							figures.computeIfAbsent(variants.get(i), (key) -> new ArrayList<>()).add(measured);
							latencies.computeIfAbsent(variants.get(i), (key) -> new ArrayList<>()).addAll(roundLatencies);
						}
					}
				}
				for (MessageConsumer consumer : consumers) {
					consumer.close();
				}
			}
			out.println("variant                                         sync puts/s  server us/put  JVM us/put | "
					+ "put -> receipt p50 / p99 us | pipelined writes/s (acked)");
			for (Variant variant : variants) {
				List<double[]> rounds = figures.get(variant);
				long[] micros = latencies.get(variant).stream().mapToLong(Long::longValue).toArray();
				out.printf(Locale.ROOT, "  %-46s %9s %14s %11s | %11s / %-11s | %9s%n", variant.name(),
						Stats.whole(median(rounds, 0)), clock.available() ? Stats.whole(median(rounds, 1)) : "n/a",
						Stats.whole(median(rounds, 2)), Stats.whole(Stats.percentile(micros, 0.5)),
						Stats.whole(Stats.percentile(micros, 0.99)), Stats.whole(median(rounds, 3)));
			}
		}
	}

	/**
	 * Measures a round of sync puts, then writes one at a time until a second connection received each, then a
	 * round of pipelined writes, then waits until the consumers caught up.
	 * @param latencies where the latencies from a write to its receipt go, in microseconds
	 * @return sync puts per second, server and JVM CPU microseconds per sync put, pipelined writes per second
	 */
	private static double[] measure(BenchmarkRun run, Workload workload, CpuClock clock, List<Long> latencies)
			throws Exception {
		int puts = run.options().syncPuts();
		long serverStart = clock.serverNanos();
		long jvmStart = clock.jvmNanos();
		long start = System.nanoTime();
		for (int i = 0; i < puts; i++) {
			workload.put(i % KEYS);
		}
		long elapsed = System.nanoTime() - start;
		double serverMicros = (clock.serverNanos() - serverStart) / 1e3 / puts;
		double jvmMicros = (clock.jvmNanos() - jvmStart) / 1e3 / puts;
		workload.awaitCaughtUp();
		for (int i = 0; i < run.options().latencySamples(); i++) {
			long written = System.nanoTime();
			long revision = workload.put(i % KEYS);
			latencies.add((workload.receipts().await(revision) - written) / 1_000);
		}
		int writes = run.options().pipelinedWrites();
		Pipeline pipeline = new Pipeline(run.options().inFlight());
		long pipelinedStart = System.nanoTime();
		for (int i = 0; i < writes; i++) {
			int index = i;
			pipeline.submit(() -> workload.putAsync(index));
		}
		pipeline.awaitAcknowledgements();
		double pipelined = Stats.perSecond(writes, System.nanoTime() - pipelinedStart);
		workload.awaitCaughtUp();
		return new double[] { Stats.perSecond(puts, elapsed), serverMicros, jvmMicros, pipelined };
	}

	private static Workload library(BenchmarkRun run, LibraryNode node, LibraryNode reader) {
		Coordinator coordinator = node.coordinator();
		Receipts receipts = new Receipts();
		reader.onEvent((event) -> receipts.add(event.getRevision()));
		String[] keys = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			keys[i] = LibraryNode.PREFIX + "put/" + i;
		}
		byte[] payload = run.payload();
		return new Workload() {

			@Override
			public long put(int index) {
				return coordinator.put(keys[index], payload);
			}

			@Override
			public Receipts receipts() {
				return receipts;
			}

			@Override
			public CompletableFuture<?> putAsync(int index) {
				return coordinator.putAsync(LibraryNode.PREFIX + "pipelined/" + index, payload);
			}

			@Override
			public void awaitCaughtUp() throws InterruptedException {
				node.awaitCaughtUp();
				reader.awaitCaughtUp();
			}

		};
	}

	private static Workload raw(BenchmarkRun run, RawNode raw, RawNode reader, String bucket, Variant variant,
			List<MessageConsumer> consumers) {
		BucketAndConsumerSettings settings = run.settings();
		raw.createBucket(bucket, settings);
		if (variant.ownConsumer()) {
			raw.createConsumer(bucket, "own", settings);
			consumers.add(raw.consume(bucket, "own", settings, (message) -> {
			}));
		}
		Receipts receipts = new Receipts();
		reader.createConsumer(bucket, "reader", settings);
		consumers.add(reader.consume(bucket, "reader", settings,
				(message) -> receipts.add(message.metaData().streamSequence())));
		String[] subjects = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			subjects[i] = "$KV." + bucket + "." + KeyCodec.encode(LibraryNode.PREFIX + "put/" + i);
		}
		String pipelinedPrefix = "$KV." + bucket + "." + KeyCodec.encode(LibraryNode.PREFIX + "pipelined") + ".";
		JetStream jetStream = raw.jetStream();
		byte[] payload = run.payload();
		return new Workload() {

			@Override
			public long put(int index) throws IOException, JetStreamApiException {
				return jetStream.publish(subjects[index], variant.sentHeaders(), payload, variant.options())
					.getSeqno();
			}

			@Override
			public Receipts receipts() {
				return receipts;
			}

			@Override
			public CompletableFuture<?> putAsync(int index) {
				return jetStream.publishAsync(pipelinedPrefix + index, variant.sentHeaders(), payload,
						variant.options());
			}

			@Override
			public void awaitCaughtUp() throws InterruptedException {
				if (variant.ownConsumer()) {
					RawNode.awaitCaughtUp(raw.connection(), "KV_" + bucket, "own", settings.ackPolicy());
				}
				RawNode.awaitCaughtUp(reader.connection(), "KV_" + bucket, "reader", settings.ackPolicy());
			}

		};
	}

	private static double median(List<double[]> rounds, int index) {
		return Stats.median(rounds.stream().map((figures) -> figures[index]).toList());
	}

	/**
	 * What one variant sends.
	 *
	 * @param name what the variant adds
	 * @param headers whether writes carry the library's headers
	 * @param messageId whether writes carry a {@code Nats-Msg-Id}
	 * @param ownConsumer whether the writer reads the bucket with a durable consumer of its own, as a library node
	 * does, with the library's consumer settings
	 */
	private record Variant(String name, boolean headers, boolean messageId, boolean ownConsumer) {

		/** The library's own writes, which carry all of the above and have the node's own consumer. */
		static final Variant LIBRARY = new Variant("library Coordinator.put/putAsync", true, true, true);

		@Nullable Headers sentHeaders() {
			if (!this.headers) {
				return null;
			}
			Headers headers = new Headers();
			headers.put("Coordinator-Origin", "writer");
			return headers;
		}

		@Nullable PublishOptions options() {
			return this.messageId ? PublishOptions.builder().messageId(NUID.nextGlobal()).build() : null;
		}

	}

	/**
	 * Writes of one variant.
	 */
	private interface Workload {

		/**
		 * Writes a key and returns its revision.
		 */
		long put(int index) throws Exception;

		/**
		 * Returns what the second connection received.
		 */
		Receipts receipts();

		CompletableFuture<?> putAsync(int index);

		/**
		 * Waits until the writer's own consumer, if any, and the second connection caught up with the writes.
		 */
		void awaitCaughtUp() throws InterruptedException;

	}

}
