package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerInfo;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A soak run: several Spring Boot nodes write at a steady rate through {@code putAsync} while their one
 * nats-server is killed (SIGKILL) and restarted at random moments. It proves that, once the nodes have caught
 * up, every node received every acknowledged write, none twice, and the revisions of each key in increasing
 * order; and that every write that was not acknowledged was reported to its writer. The bucket keeps 64
 * revisions per key and no key is written more often, so no revision may be skipped as superseded.
 *
 * <p>Short by default, for CI. The long run, documented in the README:
 * <pre class="code">
 * mvn -B -pl coordinator-spring-boot-autoconfigure -am test -Dtest=SoakTests -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsoak.seconds=60 -Dsoak.rate=2000 -Dsoak.restarts=3
 * </pre>
 * Further parameters: {@code soak.nodes} (default 3) and {@code soak.seed} (the random moments of the
 * restarts; printed with the report).
 */
class SoakTests {

	private static final String NAMESPACE = "soak";

	private static final String PREFIX = "/soak/";

	/** Writes per key at most: below the bucket's history, so every revision stays readable. */
	private static final int WRITES_PER_KEY = 16;

	private static final int HISTORY = 64;

	private static final int CATCH_UP_SECONDS = 120;

	/** Writes of one writer waiting for their acknowledgement, at most. */
	private static final int IN_FLIGHT_PER_WRITER = 5000;

	private final int seconds = Integer.getInteger("soak.seconds", 8);

	private final int rate = Integer.getInteger("soak.rate", 300);

	private final int restarts = Integer.getInteger("soak.restarts", 1);

	private final int nodeCount = Integer.getInteger("soak.nodes", 3);

	private final long seed = Long.getLong("soak.seed", System.nanoTime());

	private final List<TestNode> nodes = new ArrayList<>();

	private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor();

	private NatsServerProcess server;

	private Connection admin;

	@AfterEach
	void stop() throws Exception {
		this.housekeeping.shutdownNow();
		this.nodes.forEach(TestNode::close);
		if (this.admin != null) {
			this.admin.close();
		}
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void everyNodeReceivesEveryAcknowledgedWriteOnceAndInOrderThroughServerRestarts() throws Exception {
		this.server = NatsServerProcess.start();
		this.admin = Nats.connect(Options.builder()
			.server(this.server.url())
			.reconnectWait(Duration.ofMillis(100))
			.pingInterval(Duration.ofSeconds(1))
			.maxReconnects(-1)
			.build());
		List<SoakReceiver> receivers = new ArrayList<>();
		for (int i = 1; i <= this.nodeCount; i++) {
			TestNode node = TestNode.start(this.server.url(), NAMESPACE, "soak-" + i,
					"coordinator.bucket.history=" + HISTORY, "coordinator.nats.ping-interval=1s",
					"coordinator.nats.reconnect-wait=100ms", "coordinator.write.timeout=2s",
					"coordinator.consumer.ack-wait=5s");
			this.nodes.add(node);
			SoakReceiver receiver = new SoakReceiver(node.natsCoordinator(), node.container());
			node.coordinator().watch(PREFIX, receiver::receive);
			receivers.add(receiver);
		}
		// TestNode's catch-all listener keeps every event in a copy-on-write list, which costs quadratic time
		// at soak volumes; this test counts through its own watch handlers, so that list is emptied as it goes.
		this.housekeeping.scheduleWithFixedDelay(() -> this.nodes.forEach((node) -> node.listeners().all.clear()), 200,
				200, TimeUnit.MILLISECONDS);

		SoakLedger ledger = new SoakLedger();
		long perWriter = Math.max(1, (long) this.rate * this.seconds / this.nodeCount);
		int keysPerWriter = (int) Math.max(1, (perWriter + WRITES_PER_KEY - 1) / WRITES_PER_KEY);
		long startedAt = System.nanoTime();
		long endsAt = startedAt + TimeUnit.SECONDS.toNanos(this.seconds);
		List<Thread> writers = new ArrayList<>();
		for (TestNode node : this.nodes) {
			Thread writer = new Thread(() -> write(node.coordinator(), ledger, perWriter, keysPerWriter, startedAt, endsAt),
					"soak-writer-" + node.coordinator().nodeId());
			writers.add(writer);
			writer.start();
		}
		List<String> faults = injectFaults(startedAt);
		await("writers done").atMost(Duration.ofSeconds(this.seconds + 60))
			.until(() -> writers.stream().noneMatch(Thread::isAlive));
		long writingEnded = System.nanoTime();
		await("every write acknowledged or failed").atMost(Duration.ofSeconds(120))
			.until(() -> ledger.inFlight.get() == 0);

		// Caught up: each node's consumer has nothing left to deliver or to be acknowledged, so nothing more can
		// arrive; what a node did not receive by then, it never will.
		JetStreamManagement management = this.admin.jetStreamManagement();
		boolean caughtUp = true;
		try {
			for (TestNode node : this.nodes) {
				String durable = NAMESPACE + "_" + node.coordinator().nodeId();
				await(durable + " caught up").atMost(Duration.ofSeconds(CATCH_UP_SECONDS))
					.pollInterval(Duration.ofMillis(250))
					.ignoreExceptions()
					.until(() -> isDrained(management.getConsumerInfo("KV_" + NAMESPACE, durable)));
			}
		}
		catch (ConditionTimeoutException ex) {
			caughtUp = false;
		}
		long caughtUpAfter = System.nanoTime() - writingEnded;

		System.out.println(report(ledger, receivers, faults, writingEnded - startedAt, caughtUp ? caughtUpAfter : -1));
		assertThat(ledger.attempted.sum()).as("every write acknowledged or reported as failed")
			.isEqualTo(ledger.acknowledged.size() + ledger.failed.sum());
		assertThat(ledger.acknowledged).as("acknowledged writes").isNotEmpty();
		for (SoakReceiver receiver : receivers) {
			String node = receiver.coordinator.nodeId();
			assertThat(receiver.lost(ledger)).as("%s: acknowledged writes never received", node).isZero();
			assertThat(receiver.duplicated.sum()).as("%s: writes received twice", node).isZero();
			assertThat(receiver.outOfOrder.sum()).as("%s: revisions of a key received after a later one", node).isZero();
			assertThat(receiver.unexpected(ledger)).as("%s: events that no writer wrote", node).isZero();
			// A writer told that its write was not stored would write the change again.
			assertThat(receiver.reportedNotStoredButReceived(ledger)).as("%s: writes reported not stored but stored", node)
				.isZero();
		}
		assertThat(caughtUp).as("every node caught up and acknowledged everything").isTrue();
	}

	/**
	 * Writes {@code count} values, spread over {@code keys} keys of its own, at this writer's share of the rate
	 * until the end of the run.
	 */
	private void write(Coordinator coordinator, SoakLedger ledger, long count, int keys, long startedAt, long endsAt) {
		long interval = TimeUnit.SECONDS.toNanos(1) * this.nodeCount / this.rate;
		Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_WRITER);
		long next = startedAt;
		for (long i = 0; i < count && System.nanoTime() < endsAt; i++) {
			long wait = next - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			next += interval;
			inFlight.acquireUninterruptibly();
			String key = PREFIX + coordinator.nodeId() + "/" + (i % keys);
			String value = coordinator.nodeId() + ":" + i;
			ledger.attempted.increment();
			ledger.inFlight.incrementAndGet();
			CompletableFuture<Long> written;
			try {
				written = coordinator.putAsync(key, value.getBytes(StandardCharsets.UTF_8));
			}
			catch (RuntimeException ex) {
				written = CompletableFuture.failedFuture(ex);
			}
			written.whenComplete((revision, failure) -> {
				if (failure == null) {
					ledger.acknowledged.put(revision, key + "=" + value);
				}
				else {
					ledger.failed.increment();
					ledger.failedWrites.add(key + "=" + value);
					if (!String.valueOf(failure.getMessage()).contains("may or may not have been stored")) {
						ledger.reportedNotStored.add(key + "=" + value);
					}
					ledger.causes.computeIfAbsent(cause(failure), (cause) -> new LongAdder()).increment();
				}
				ledger.inFlight.decrementAndGet();
				inFlight.release();
			});
		}
	}

	/**
	 * SIGKILLs and restarts the server at random moments of the run, on a thread of its own.
	 * @return what happened, filled in as it happens
	 */
	private List<String> injectFaults(long startedAt) {
		Random random = new Random(this.seed);
		long window = TimeUnit.SECONDS.toNanos(this.seconds);
		List<Long> moments = new ArrayList<>();
		for (int i = 0; i < this.restarts; i++) {
			moments.add(startedAt + (long) (window * (0.1 + 0.75 * random.nextDouble())));
		}
		moments.sort(null);
		List<String> faults = new CopyOnWriteArrayList<>();
		Thread chaos = new Thread(() -> {
			for (long moment : moments) {
				long wait = moment - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
				long killedAt = System.nanoTime();
				this.server.kill();
				this.server.restart();
				faults.add(String.format("kill at %.1f s (%tT.%<tL), ready again after %d ms",
						(killedAt - startedAt) / 1e9, System.currentTimeMillis(), (System.nanoTime() - killedAt) / 1_000_000));
			}
		}, "soak-chaos");
		chaos.start();
		await("restarts done").atMost(Duration.ofSeconds(this.seconds + 60)).until(() -> !chaos.isAlive());
		return faults;
	}

	private static boolean isDrained(ConsumerInfo info) {
		return info.getNumPending() == 0 && info.getNumAckPending() == 0;
	}

	private String report(SoakLedger ledger, List<SoakReceiver> receivers, List<String> faults, long writingNanos,
			long caughtUpNanos) {
		StringBuilder report = new StringBuilder();
		double writingSeconds = writingNanos / 1e9;
		report.append(String.format("%n==== Soak report: %d s requested at %d writes/s, %d nodes, %d restarts, seed %d%n",
				this.seconds, this.rate, this.nodeCount, this.restarts, this.seed));
		report.append(String.format("writing took %.1f s; attempted %d (%.0f/s)%n", writingSeconds,
				ledger.attempted.sum(), ledger.attempted.sum() / writingSeconds));
		report.append(String.format("written (acknowledged): %d (%.0f/s)%n", ledger.acknowledged.size(),
				ledger.acknowledged.size() / writingSeconds));
		report.append(String.format("failed (reported to the writer): %d%n", ledger.failed.sum()));
		new TreeMap<>(ledger.causes).forEach((cause, count) -> report.append(String.format("    %d x %s%n", count.sum(),
				cause)));
		report.append(String.format("writes reported failed but stored: %d (of which the writer was told they were "
				+ "not stored: %d; the others ran out of their write budget and said the outcome is unknown)%n",
				receivers.stream().mapToLong((receiver) -> receiver.failedButReceived(ledger)).max().orElse(0),
				receivers.stream().mapToLong((receiver) -> receiver.reportedNotStoredButReceived(ledger)).max().orElse(0)));
		faults.forEach((fault) -> report.append("fault: ").append(fault).append('\n'));
		report.append((caughtUpNanos >= 0)
				? String.format("all nodes caught up %.1f s after the writes ended%n", caughtUpNanos / 1e9)
				: "NOT all nodes caught up within " + CATCH_UP_SECONDS + " s\n");
		for (SoakReceiver receiver : receivers) {
			report.append(String.format("%s: received %d, lost %d, duplicated %d, out of order %d, unexpected %d; "
					+ "failed writes received anyway %d, revisions reused after a crash %d, writes received at a "
					+ "revision the server lost %d; %s%n", receiver.coordinator.nodeId(), receiver.received.sum(),
					receiver.lost(ledger), receiver.duplicated.sum(), receiver.outOfOrder.sum(),
					receiver.unexpected(ledger), receiver.failedButReceived(ledger), receiver.reusedRevisions.sum(),
					receiver.phantoms(ledger), receiver.container.statistics()));
			receiver.samples.values()
				.forEach((samples) -> samples.forEach((sample) -> report.append("    ").append(sample).append('\n')));
			List<Long> lost = receiver.lostRevisions(ledger);
			if (!lost.isEmpty()) {
				long superseded = lost.stream().filter((revision) -> receiver.hasLaterRevisionOfKey(ledger, revision)).count();
				report.append(String.format("    lost revisions %d to %d, %d of them superseded by a later revision of "
						+ "their key that was received; first: %s%n", lost.get(0), lost.get(lost.size() - 1), superseded,
						lost.subList(0, Math.min(lost.size(), 10))));
			}
		}
		return report.toString();
	}

	private static String cause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause.getClass().getSimpleName() + ": " + cause.getMessage();
	}

}
