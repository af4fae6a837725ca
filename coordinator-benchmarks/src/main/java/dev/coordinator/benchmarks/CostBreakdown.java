package dev.coordinator.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
import io.nats.client.api.AckPolicy;
import io.nats.client.impl.Headers;
import org.jspecify.annotations.Nullable;

/**
 * Splits what a library write costs over raw {@code KeyValue.put} into its parts ({@code --breakdown}): raw
 * publishes to the bucket's subject that add, one at a time, what a library write carries (its headers, a
 * message id, an expected stream), then the writing node's own consumer of the bucket, then the library itself;
 * plus two variants that leave a part out. Each variant is measured as sync puts and as pipelined writes, with
 * the CPU time the server and this JVM spent per write.
 */
final class CostBreakdown {

	private static final int KEYS = 1_000;

	/** Length of a clock tick of {@code /proc/PID/stat} (USER_HZ, 100 per second on Linux). */
	private static final long NANOS_PER_TICK = 10_000_000L;

	private CostBreakdown() {
	}

	static void run(BenchmarkOptions options, PrintStream out) throws Exception {
		try (NatsServerProcess server = NatsServerProcess.start()) {
			CoordinatorBenchmark.printHeader(server, options, out);
			BenchmarkRun run = BenchmarkRun.create(server.url(), options, BucketAndConsumerSettings.DEFAULTS);
			CoordinatorBenchmark.warmUp(run);
			List<Variant> variants = List.of(new Variant("raw KeyValue.put (no headers)", false, false, false, null),
					new Variant("+ Coordinator-Format/-Origin headers", true, false, false, null),
					new Variant("+ Nats-Msg-Id", true, true, false, null),
					new Variant("+ Nats-Expected-Stream (a library write)", true, true, true, null),
					new Variant("+ writer's own consumer, ack each", true, true, true, AckPolicy.Explicit),
					Variant.LIBRARY,
					new Variant("what if: own consumer acks All per 128", true, true, true, AckPolicy.All),
					new Variant("what if: no Nats-Expected-Stream", true, true, false, AckPolicy.Explicit));
			CpuClock clock = new CpuClock(serverPid());
			Map<Variant, List<double[]>> figures = new LinkedHashMap<>();
			try (LibraryNode node = LibraryNode.start(server.url(), "cb", "writer", run.settings());
					RawNode raw = RawNode.connect(server.url(), "raw-cb")) {
				List<Workload> workloads = new ArrayList<>();
				List<MessageConsumer> consumers = new ArrayList<>();
				for (int i = 0; i < variants.size(); i++) {
					Variant variant = variants.get(i);
					workloads.add((variant == Variant.LIBRARY) ? library(run, node)
							: raw(run, raw, "cb" + i, variant, consumers));
				}
				for (int round = -1; round < options.rounds(); round++) {
					for (int j = 0; j < variants.size(); j++) {
						int i = (round % 2 == 0) ? j : variants.size() - 1 - j;
						double[] measured = measure(run, workloads.get(i), clock);
						if (round >= 0) {
							figures.computeIfAbsent(variants.get(i), (key) -> new ArrayList<>()).add(measured);
						}
					}
				}
				for (MessageConsumer consumer : consumers) {
					consumer.close();
				}
			}
			out.println("variant                                      sync puts/s   server us/put   JVM us/put | "
					+ "pipelined writes/s (acked)");
			for (Variant variant : variants) {
				List<double[]> rounds = figures.get(variant);
				out.printf(Locale.ROOT, "  %-42s %9s %13s %12s | %9s%n", variant.name(), Stats.whole(median(rounds, 0)),
						clock.available() ? Stats.whole(median(rounds, 1)) : "n/a", Stats.whole(median(rounds, 2)),
						Stats.whole(median(rounds, 3)));
			}
		}
	}

	/**
	 * Measures a round of sync puts, then a round of pipelined writes, then waits until the writer's own
	 * consumer caught up.
	 * @return sync puts per second, server and JVM CPU microseconds per sync put, pipelined writes per second
	 */
	private static double[] measure(BenchmarkRun run, Workload workload, CpuClock clock) throws Exception {
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

	private static Workload library(BenchmarkRun run, LibraryNode node) {
		Coordinator coordinator = node.coordinator();
		String[] keys = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			keys[i] = LibraryNode.PREFIX + "put/" + i;
		}
		byte[] payload = run.payload();
		return new Workload() {

			@Override
			public void put(int index) {
				coordinator.put(keys[index], payload);
			}

			@Override
			public CompletableFuture<?> putAsync(int index) {
				return coordinator.putAsync(LibraryNode.PREFIX + "pipelined/" + index, payload);
			}

			@Override
			public void awaitCaughtUp() throws InterruptedException {
				node.awaitCaughtUp();
			}

		};
	}

	private static Workload raw(BenchmarkRun run, RawNode raw, String bucket, Variant variant,
			List<MessageConsumer> consumers) {
		BucketAndConsumerSettings settings = run.settings();
		raw.createBucket(bucket, settings);
		if (variant.ownConsumer() != null) {
			BucketAndConsumerSettings consumer = settings.withAckPolicy(variant.ownConsumer());
			raw.createConsumer(bucket, "own", consumer);
			consumers.add(raw.consume(bucket, "own", consumer, (message) -> {
			}));
		}
		String[] subjects = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			subjects[i] = "$KV." + bucket + "." + KeyCodec.encode(LibraryNode.PREFIX + "put/" + i);
		}
		String pipelinedPrefix = "$KV." + bucket + "." + KeyCodec.encode(LibraryNode.PREFIX + "pipelined") + ".";
		JetStream jetStream = raw.jetStream();
		byte[] payload = run.payload();
		return new Workload() {

			@Override
			public void put(int index) throws IOException, JetStreamApiException {
				jetStream.publish(subjects[index], variant.sentHeaders(), payload, variant.options("KV_" + bucket));
			}

			@Override
			public CompletableFuture<?> putAsync(int index) {
				return jetStream.publishAsync(pipelinedPrefix + index, variant.sentHeaders(), payload,
						variant.options("KV_" + bucket));
			}

			@Override
			public void awaitCaughtUp() throws InterruptedException {
				if (variant.ownConsumer() != null) {
					RawNode.awaitCaughtUp(raw.connection(), "KV_" + bucket, "own", variant.ownConsumer());
				}
			}

		};
	}

	private static double median(List<double[]> rounds, int index) {
		return Stats.median(rounds.stream().map((figures) -> figures[index]).toList());
	}

	private static long serverPid() {
		return ProcessHandle.current()
			.children()
			.filter((process) -> process.info().command().orElse("").endsWith("nats-server"))
			.findFirst()
			.map(ProcessHandle::pid)
			.orElse(-1L);
	}

	/**
	 * What one variant sends.
	 *
	 * @param name what the variant adds
	 * @param headers whether writes carry the library's headers
	 * @param messageId whether writes carry a {@code Nats-Msg-Id}
	 * @param expectedStream whether writes carry a {@code Nats-Expected-Stream}
	 * @param ownConsumer the ack policy of the writer's own consumer of the bucket, {@code null} for none
	 */
	private record Variant(String name, boolean headers, boolean messageId, boolean expectedStream,
			@Nullable AckPolicy ownConsumer) {

		/** The library's own writes, which carry all of the above and have the node's own consumer. */
		static final Variant LIBRARY = new Variant("library Coordinator.put/putAsync", true, true, true,
				AckPolicy.Explicit);

		@Nullable Headers sentHeaders() {
			if (!this.headers) {
				return null;
			}
			Headers headers = new Headers();
			headers.put("Coordinator-Format", "1");
			headers.put("Coordinator-Origin", "writer");
			return headers;
		}

		@Nullable PublishOptions options(String stream) {
			if (!this.messageId && !this.expectedStream) {
				return null;
			}
			PublishOptions.Builder options = PublishOptions.builder();
			if (this.messageId) {
				options.messageId(NUID.nextGlobal());
			}
			if (this.expectedStream) {
				options.expectedStream(stream);
			}
			return options.build();
		}

	}

	/**
	 * Writes of one variant.
	 */
	private interface Workload {

		void put(int index) throws Exception;

		CompletableFuture<?> putAsync(int index);

		/**
		 * Waits until the writer's own consumer, if any, caught up with the writes.
		 */
		void awaitCaughtUp() throws InterruptedException;

	}

	/**
	 * CPU time used by the nats-server process (from {@code /proc}, Linux only) and by this JVM.
	 */
	private static final class CpuClock {

		private final @Nullable Path serverStat;

		CpuClock(long serverPid) {
			Path stat = Paths.get("/proc/" + serverPid + "/stat");
			this.serverStat = (serverPid > 0 && Files.isReadable(stat)) ? stat : null;
		}

		boolean available() {
			return this.serverStat != null;
		}

		long serverNanos() throws IOException {
			if (this.serverStat == null) {
				return 0;
			}
			String stat = Files.readString(this.serverStat);
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
		}

		long jvmNanos() {
			OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
			return (bean instanceof com.sun.management.OperatingSystemMXBean os) ? os.getProcessCpuTime() : 0;
		}

	}

}
