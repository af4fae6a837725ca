package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.KeyCodec;
import dev.coordinator.nats.NatsCoordinator;
import dev.coordinator.test.NatsCluster;
import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.MessageInfo;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A soak run on a three-server JetStream cluster: three Spring Boot nodes, each connected first to a server of
 * its own, write at a steady total rate through {@code putAsync} to a bucket of three replicas, and read
 * between their writes, while the server that leads the bucket's stream is killed (SIGKILL) twice at random
 * moments and restarted after a short pause. It proves that, once the nodes have caught up, every node
 * received every acknowledged write, none twice, and the revisions of each key in increasing order; that every
 * write that was not acknowledged was reported to its writer; and that no read returned a revision older than
 * one its node wrote (acknowledged) or received: {@code get} after some of a node's own acknowledged writes,
 * after some of the events it received, and of every key it received once all caught up. The bucket keeps 64
 * revisions per key and no key is written more often, so no revision may be skipped as superseded. At the end
 * it reads the whole stream, checks that it holds every acknowledged write at its revision, and, when anything
 * is wrong, prints what the stream, each node and each server's replica hold, and the servers' logs.
 *
 * <p>Each node is given all three URLs, its own server's first, so that it reconnects elsewhere when its
 * server is killed; the NATS client shuffles the list (the coordinator has no property to keep its order), so
 * the report shows which server each node was connected to.
 *
 * <p>It runs only when asked for, with {@code cluster.soak.seconds} (at least 20: electing a new stream leader takes
 * 4 to 12 s on nats-server 2.9 and both kills must fall within the writes), because nats-server 2.9.10 itself
 * sometimes fails it: after a leader is killed and restarted, its replicas can hold different messages at the
 * same sequence while reporting themselves current, and a consumer led by such a replica delivers acknowledged
 * writes at other revisions than the stream's (seen in 2 of 12 runs of 30 s; the report prints what each
 * server's replica holds). The command:
 * <pre class="code">
 * mvn -B -pl coordinator-spring-boot-autoconfigure -am test -Dtest=ClusterSoakTests -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dcluster.soak.seconds=60 -Dcluster.soak.rate=1000
 * </pre>
 * Further parameters: {@code cluster.soak.seed} (the random moments of the kills; printed with the report).
 */
@EnabledIfSystemProperty(named = "cluster.soak.seconds", matches = "\\d+")
class ClusterSoakTests {

	private static final String NAMESPACE = "csoak";

	private static final String STREAM = "KV_" + NAMESPACE;

	private static final String PREFIX = "/csoak/";

	private static final int NODES = 3;

	/** Kills of the stream's leader, at random moments of their own part of the run. */
	private static final int KILLS = 2;

	/** How long a killed server stays down before it is started again. */
	private static final Duration DOWN_FOR = Duration.ofSeconds(1);

	/** Writes per key at most: below the bucket's history, so every revision stays readable. */
	private static final int WRITES_PER_KEY = 16;

	private static final int HISTORY = 64;

	/** One read check after this many of a node's acknowledged writes, and this many of its received events. */
	private static final int READ_EVERY = 4;

	/** Read checks of one node waiting for its reader, at most; more are dropped (and counted). */
	private static final int READ_QUEUE = 20_000;

	private static final int CATCH_UP_SECONDS = 120;

	/** Writes of one writer waiting for their acknowledgement, at most. */
	private static final int IN_FLIGHT_PER_WRITER = 5000;

	private final int seconds = Integer.getInteger("cluster.soak.seconds", 20);

	private final int rate = Integer.getInteger("cluster.soak.rate", 300);

	private final long seed = Long.getLong("cluster.soak.seed", System.nanoTime());

	private final List<TestNode> nodes = new ArrayList<>();

	private final List<Reader> readers = new ArrayList<>();

	private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor();

	private NatsCluster cluster;

	/** What each killed server logged before it was killed (a restart starts its log anew). */
	private final Map<String, String> logsOfKilled = new ConcurrentHashMap<>();

	private Connection admin;

	@AfterEach
	void stop() throws Exception {
		this.housekeeping.shutdownNow();
		this.readers.forEach(Reader::stop);
		this.nodes.forEach(TestNode::close);
		if (this.admin != null) {
			this.admin.close();
		}
		if (this.cluster != null) {
			this.cluster.close();
		}
	}

	@Test
	void everyNodeReceivesEveryAcknowledgedWriteOnceAndInOrderAndReadsNothingStaleThroughLeaderKills()
			throws Exception {
		this.cluster = NatsCluster.start("coordinator-csoak");
		this.admin = this.cluster.connect();
		List<NatsServerProcess> servers = new ArrayList<>(this.cluster.servers().values());
		List<Receiver> receivers = new ArrayList<>();
		for (int i = 0; i < NODES; i++) {
			// Its own server first, then the others: where it reconnects when its server is killed.
			List<String> urls = new ArrayList<>();
			for (int j = 0; j < NODES; j++) {
				urls.add(servers.get((i + j) % NODES).url());
			}
			TestNode node = TestNode.start(String.join(",", urls), NAMESPACE, "csoak-" + (i + 1),
					"coordinator.bucket.replicas=3", "coordinator.bucket.history=" + HISTORY,
					"coordinator.nats.ping-interval=1s", "coordinator.nats.reconnect-wait=100ms",
					"coordinator.write.timeout=2s", "coordinator.read.timeout=2s", "coordinator.consumer.ack-wait=5s");
			this.nodes.add(node);
			Reader reader = new Reader(node.coordinator());
			this.readers.add(reader);
			Receiver receiver = new Receiver(node.natsCoordinator(), node.container(), reader);
			node.coordinator().watch(PREFIX, receiver::receive);
			receivers.add(receiver);
		}
		JetStreamManagement management = this.admin.jetStreamManagement();
		assertThat(management.getStreamInfo(STREAM).getConfiguration().getReplicas()).as("replicas of " + STREAM)
			.isEqualTo(3);
		Map<String, String> connectedAtStart = connectedServers();
		// TestNode's catch-all listener keeps every event in a copy-on-write list, which costs quadratic time
		// at soak volumes; this test counts through its own watch handlers, so that list is emptied as it goes.
		this.housekeeping.scheduleWithFixedDelay(() -> this.nodes.forEach((node) -> node.listeners().all.clear()), 200,
				200, TimeUnit.MILLISECONDS);
		this.readers.forEach(Reader::start);

		SoakLedger ledger = new SoakLedger();
		long perWriter = Math.max(1, (long) this.rate * this.seconds / NODES);
		int keysPerWriter = (int) Math.max(1, (perWriter + WRITES_PER_KEY - 1) / WRITES_PER_KEY);
		long startedAt = System.nanoTime();
		long endsAt = startedAt + TimeUnit.SECONDS.toNanos(this.seconds);
		List<Thread> writers = new ArrayList<>();
		for (int i = 0; i < NODES; i++) {
			Coordinator coordinator = this.nodes.get(i).coordinator();
			Reader reader = this.readers.get(i);
			Thread writer = new Thread(
					() -> write(coordinator, reader, ledger, perWriter, keysPerWriter, startedAt, endsAt),
					"csoak-writer-" + coordinator.nodeId());
			writers.add(writer);
			writer.start();
		}
		List<String> faults = new CopyOnWriteArrayList<>();
		Thread chaos = new Thread(() -> killLeaders(startedAt, faults), "csoak-chaos");
		chaos.start();
		await("writers done").atMost(Duration.ofSeconds(this.seconds + 60))
			.until(() -> writers.stream().noneMatch(Thread::isAlive));
		long writingEnded = System.nanoTime();
		await("leader kills done").atMost(Duration.ofSeconds(120)).until(() -> !chaos.isAlive());
		await("every write acknowledged or failed").atMost(Duration.ofSeconds(120))
			.until(() -> ledger.inFlight.get() == 0);

		// Caught up: each node's consumer has nothing left to deliver or to be acknowledged, so nothing more can
		// arrive; what a node did not receive by then, it never will.
		boolean caughtUp = true;
		try {
			for (TestNode node : this.nodes) {
				String durable = NAMESPACE + "_" + node.coordinator().nodeId();
				await(durable + " caught up").atMost(Duration.ofSeconds(CATCH_UP_SECONDS))
					.pollInterval(Duration.ofMillis(250))
					.ignoreExceptions()
					.until(() -> isDrained(management.getConsumerInfo(STREAM, durable)));
			}
		}
		catch (ConditionTimeoutException ex) {
			caughtUp = false;
		}
		long caughtUpAfter = System.nanoTime() - writingEnded;
		// The reads queued during the run, then one of every key each node received, at its last revision.
		for (Receiver receiver : receivers) {
			receiver.lastRevisionOfKey.forEach(receiver.reader::finalCheck);
		}
		for (Reader reader : this.readers) {
			reader.stop();
		}
		String leaderAtEnd = leader(management);
		Map<Long, String> stored = stored(management);

		System.out.println(report(ledger, receivers, stored, faults, connectedAtStart, connectedServers(), leaderAtEnd,
				writingEnded - startedAt, caughtUp ? caughtUpAfter : -1));
		boolean clean = caughtUp && notStored(ledger.acknowledged, stored).isEmpty()
				&& receivers.stream().allMatch((receiver) -> receiver.isClean(ledger));
		if (!clean) {
			System.out.println(diagnostics(management, ledger, receivers, stored));
		}
		assertThat(notStored(ledger.acknowledged, stored)).as("acknowledged writes the stream does not hold at the end")
			.isEmpty();
		assertThat(ledger.attempted.sum()).as("every write acknowledged or reported as failed")
			.isEqualTo(ledger.acknowledged.size() + ledger.failed.sum());
		assertThat(ledger.acknowledged).as("acknowledged writes").isNotEmpty();
		assertThat(faults).as("stream leaders killed").filteredOn((fault) -> fault.contains("SIGKILLed")).hasSize(KILLS);
		for (Receiver receiver : receivers) {
			String node = receiver.coordinator.nodeId();
			assertThat(receiver.lost(ledger)).as("%s: acknowledged writes never received", node).isZero();
			assertThat(receiver.duplicated.sum()).as("%s: writes received twice", node).isZero();
			assertThat(receiver.outOfOrder.sum()).as("%s: revisions of a key received after a later one", node).isZero();
			assertThat(receiver.unexpected(ledger)).as("%s: events that no writer wrote", node).isZero();
			assertThat(receiver.reader.stale.sum()).as("%s: reads older than a revision it wrote or received", node)
				.isZero();
			assertThat(receiver.reader.checked.sum()).as("%s: reads checked", node).isPositive();
		}
		assertThat(caughtUp).as("every node caught up and acknowledged everything").isTrue();
	}

	/**
	 * Writes {@code count} values, spread over {@code keys} keys of its own, at this writer's share of the rate
	 * until the end of the run; every {@value #READ_EVERY}th acknowledged write is read back.
	 */
	private void write(Coordinator coordinator, Reader reader, SoakLedger ledger, long count, int keys, long startedAt,
			long endsAt) {
		long interval = TimeUnit.SECONDS.toNanos(1) * NODES / this.rate;
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
			boolean readBack = i % READ_EVERY == 0;
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
					if (readBack) {
						reader.check(key, revision, "its own write");
					}
				}
				else {
					ledger.failed.increment();
					ledger.failedWrites.add(key + "=" + value);
					ledger.causes.computeIfAbsent(cause(failure), (cause) -> new LongAdder()).increment();
				}
				ledger.inFlight.decrementAndGet();
				inFlight.release();
			});
		}
	}

	/**
	 * Kills the stream's leader {@value #KILLS} times, each at a random moment of its own part of the run, and
	 * starts it again after {@link #DOWN_FOR}.
	 */
	private void killLeaders(long startedAt, List<String> faults) {
		Random random = new Random(this.seed);
		long window = TimeUnit.SECONDS.toNanos(this.seconds);
		JetStreamManagement management;
		try {
			management = this.admin.jetStreamManagement(
					JetStreamOptions.builder().requestTimeout(Duration.ofMillis(500)).build());
		}
		catch (Exception ex) {
			faults.add("no JetStream management: " + ex);
			return;
		}
		for (int k = 0; k < KILLS; k++) {
			long moment = startedAt + (long) (window * ((k + 0.1 + 0.6 * random.nextDouble()) / KILLS));
			long wait = moment - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			String leader;
			try {
				leader = await("leader of " + STREAM).atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(50))
					.ignoreExceptions()
					.until(() -> leader(management), Objects::nonNull);
			}
			catch (ConditionTimeoutException ex) {
				faults.add(String.format("kill %d: %s had no leader for 30 s", k + 1, STREAM));
				continue;
			}
			NatsServerProcess server = this.cluster.servers().get(leader);
			long killedAt = System.nanoTime();
			String wallClock = String.format("%tT.%<tL", System.currentTimeMillis());
			server.kill();
			this.logsOfKilled.put("kill " + (k + 1) + ": " + leader, server.log());
			String newLeader = null;
			long electedAt = 0;
			long restartAt = killedAt + DOWN_FOR.toNanos();
			long giveUpAt = killedAt + TimeUnit.SECONDS.toNanos(30);
			boolean restarted = false;
			long readyAt = 0;
			while (newLeader == null && System.nanoTime() < giveUpAt) {
				if (!restarted && System.nanoTime() >= restartAt) {
					server.restart();
					readyAt = System.nanoTime();
					restarted = true;
				}
				String current = leader(management);
				// The killed server may lead again once restarted.
				if (current != null && (restarted || !current.equals(leader))) {
					newLeader = current;
					electedAt = System.nanoTime();
				}
				else {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
				}
			}
			if (!restarted) {
				LockSupport.parkNanos(restartAt - System.nanoTime());
				server.restart();
				readyAt = System.nanoTime();
			}
			faults.add(String.format("kill %d at %.1f s (%s%s): stream leader %s SIGKILLed; new leader %s; restarted "
					+ "after %d ms down, ready %d ms after the kill", k + 1, (killedAt - startedAt) / 1e9, wallClock,
					(killedAt < startedAt + window) ? "" : ", AFTER the writes ended",
					leader, (newLeader != null) ? newLeader + (newLeader.equals(leader) ? " (itself, restarted) " : " ")
							+ (electedAt - killedAt) / 1_000_000 + " ms after the kill"
							: "NOT elected within 30 s", DOWN_FOR.toMillis(), (readyAt - killedAt) / 1_000_000));
		}
	}

	/**
	 * Returns the server that leads the bucket's stream, or {@code null} when none answers.
	 */
	private static String leader(JetStreamManagement management) {
		try {
			return management.getStreamInfo(STREAM).getClusterInfo().getLeader();
		}
		catch (Exception ex) {
			return null;
		}
	}

	/**
	 * Returns the server each node is connected to: node id to server name.
	 */
	private Map<String, String> connectedServers() {
		Map<String, String> names = new LinkedHashMap<>();
		this.cluster.servers().forEach((name, server) -> names.put(server.url(), name));
		Map<String, String> connected = new LinkedHashMap<>();
		for (TestNode node : this.nodes) {
			String url = node.context().getBean(Connection.class).getConnectedUrl();
			connected.put(node.coordinator().nodeId(), (url != null) ? names.getOrDefault(url, url) : "(none)");
		}
		return connected;
	}

	/**
	 * Reads the whole stream as it is at the end: revision to {@code key=value} (the subject where it is not a
	 * coordinator key, as for the nodes' records).
	 */
	private Map<Long, String> stored(JetStreamManagement management) throws Exception {
		Map<Long, String> stored = new TreeMap<>();
		long last = management.getStreamInfo(STREAM).getStreamState().getLastSequence();
		String prefix = "$KV." + NAMESPACE + ".";
		JetStreamSubscription subscription = this.admin.jetStream()
			.subscribe(prefix + ">", PushSubscribeOptions.builder().stream(STREAM).ordered(true).build());
		try {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			long seen = 0;
			while (seen < last && System.nanoTime() < deadline) {
				Message message = subscription.nextMessage(Duration.ofSeconds(2));
				if (message == null) {
					break;
				}
				seen = message.metaData().streamSequence();
				String kvKey = message.getSubject().substring(prefix.length());
				String key;
				try {
					key = KeyCodec.decode(kvKey);
				}
				catch (RuntimeException ex) {
					key = message.getSubject();
				}
				byte[] data = message.getData();
				stored.put(seen, key + "=" + new String((data != null) ? data : new byte[0], StandardCharsets.UTF_8));
			}
		}
		finally {
			subscription.unsubscribe();
		}
		return stored;
	}

	/** Writes, revision to {@code key=value}, that the stream does not hold at their revision. */
	private static Map<Long, String> notStored(Map<Long, String> writes, Map<Long, String> stored) {
		Map<Long, String> missing = new TreeMap<>();
		writes.forEach((revision, write) -> {
			if (!write.equals(stored.get(revision))) {
				missing.put(revision, write);
			}
		});
		return missing;
	}

	/**
	 * Describes what the stream and each node hold at the end, for a run that found anomalies.
	 */
	private String diagnostics(JetStreamManagement management, SoakLedger ledger, List<Receiver> receivers,
			Map<Long, String> stored) {
		StringBuilder out = new StringBuilder("==== Diagnostics\n");
		try {
			out.append("stream: ").append(management.getStreamInfo(STREAM).getStreamState()).append(' ')
				.append(management.getStreamInfo(STREAM).getClusterInfo()).append('\n');
		}
		catch (Exception ex) {
			out.append("stream info failed: ").append(ex).append('\n');
		}
		Set<Long> probes = new TreeSet<>();
		for (Receiver receiver : receivers) {
			Map<Long, String> phantoms = notStored(receiver.byRevision, stored);
			phantoms.keySet().stream().limit(4).forEach(probes::add);
			List<String> neverReceived = receiver.neverReceived(ledger);
			String consumer = NAMESPACE + "_" + receiver.coordinator.nodeId();
			String consumerLeader;
			try {
				consumerLeader = management.getConsumerInfo(STREAM, consumer).getClusterInfo().getLeader();
			}
			catch (Exception ex) {
				consumerLeader = "(consumer info failed: " + ex.getMessage() + ")";
			}
			out.append(String.format("%s: consumer %s led by %s; last processed revision %d; acknowledged writes never "
					+ "received at any revision %d %s; received %d writes the stream does not hold at their revision "
					+ "at the end: %s%n", receiver.coordinator.nodeId(), consumer, consumerLeader,
					receiver.container.lastProcessedRevision(), neverReceived.size(),
					neverReceived.subList(0, Math.min(10, neverReceived.size())), phantoms.size(),
					describe(phantoms, stored)));
			for (String key : receiver.reader.staleKeys) {
				out.append(String.format("    stale key %s: revisions received %s; revisions the stream holds %s%n", key,
						receiver.revisionsOf(key), revisionsOf(stored, key)));
			}
		}
		// What the replicas hold at the revisions that a node received with another write: a direct get is
		// answered by a replica, preferably on the server it was sent to (not certainly: NATS picks among the
		// replicas' subscriptions), so answers that differ show replicas that differ.
		for (long revision : probes) {
			out.append(String.format("revision %d: stream %s", revision, stored.get(revision)));
			this.cluster.servers().forEach((name, server) -> out.append(String.format("; through %s %s", name,
					directGet(server, revision))));
			out.append('\n');
		}
		this.logsOfKilled.forEach((name, log) -> out.append("---- log of ").append(name).append(" before the kill\n")
			.append(notable(log)));
		this.cluster.servers().forEach((name, server) -> out.append("---- log of ").append(name)
			.append(" since its last start\n").append(notable(server.log())));
		return out.toString();
	}

	private static String directGet(NatsServerProcess server, long revision) {
		Options options = Options.builder()
			.server(server.url())
			.maxReconnects(0)
			.connectionTimeout(Duration.ofSeconds(2))
			.build();
		try (Connection connection = Nats.connect(options)) {
			MessageInfo info = connection
				.jetStreamManagement(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build())
				.getMessage(STREAM, revision);
			byte[] data = info.getData();
			return KeyCodec.decode(info.getSubject().substring(("$KV." + NAMESPACE + ".").length())) + "="
					+ new String((data != null) ? data : new byte[0], StandardCharsets.UTF_8);
		}
		catch (Exception ex) {
			return "(" + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")";
		}
	}

	private static String describe(Map<Long, String> phantoms, Map<Long, String> stored) {
		StringBuilder out = new StringBuilder();
		phantoms.entrySet().stream().limit(10).forEach((phantom) -> out.append(String.format("%n        %d %s (the "
				+ "stream holds %s there)", phantom.getKey(), phantom.getValue(), stored.get(phantom.getKey()))));
		return out.toString();
	}

	private static List<Long> revisionsOf(Map<Long, String> writes, String key) {
		return writes.entrySet()
			.stream()
			.filter((write) -> write.getValue().startsWith(key + "="))
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
	}

	/** The lines of a server's log about warnings, errors, leaders and catch-up, at most 80. */
	private static String notable(String log) {
		StringBuilder out = new StringBuilder();
		log.lines()
			.filter((line) -> line.contains("[WRN]") || line.contains("[ERR]") || line.contains("leader")
					|| line.contains("atchup") || line.contains("runcat") || line.contains("eset"))
			.limit(80)
			.forEach((line) -> out.append("    ").append(line).append('\n'));
		return out.toString();
	}

	private static boolean isDrained(ConsumerInfo info) {
		return info.getNumPending() == 0 && info.getNumAckPending() == 0;
	}

	private String report(SoakLedger ledger, List<Receiver> receivers, Map<Long, String> stored, List<String> faults,
			Map<String, String> connectedAtStart, Map<String, String> connectedAtEnd, String leaderAtEnd,
			long writingNanos, long caughtUpNanos) {
		StringBuilder report = new StringBuilder();
		double writingSeconds = writingNanos / 1e9;
		report.append(String.format("%n==== Cluster soak report: %d s requested at %d writes/s, %d nodes on %d servers "
				+ "(bucket R3, history %d), %d leader kills, seed %d%n", this.seconds, this.rate, NODES,
				this.cluster.servers().size(), HISTORY, KILLS, this.seed));
		report.append(String.format("nodes connected to %s at the start, %s at the end; stream leader at the end %s%n",
				connectedAtStart, connectedAtEnd, leaderAtEnd));
		report.append(String.format("writing took %.1f s; attempted %d (%.0f/s)%n", writingSeconds,
				ledger.attempted.sum(), ledger.attempted.sum() / writingSeconds));
		report.append(String.format("written (acknowledged): %d (%.0f/s)%n", ledger.acknowledged.size(),
				ledger.acknowledged.size() / writingSeconds));
		report.append(String.format("failed (reported to the writer): %d%n", ledger.failed.sum()));
		new TreeMap<>(ledger.causes).forEach((cause, count) -> report.append(String.format("    %d x %s%n", count.sum(),
				cause)));
		report.append(String.format("writes reported failed but stored: %d%n",
				stored.values().stream().filter(ledger.failedWrites::contains).count()));
		report.append(String.format("stream at the end: %d revisions; acknowledged writes it does not hold: %d%n",
				stored.size(), notStored(ledger.acknowledged, stored).size()));
		faults.forEach((fault) -> report.append("fault: ").append(fault).append('\n'));
		report.append((caughtUpNanos >= 0)
				? String.format("all nodes caught up %.1f s after the writes ended%n", caughtUpNanos / 1e9)
				: "NOT all nodes caught up within " + CATCH_UP_SECONDS + " s\n");
		for (Receiver receiver : receivers) {
			Reader reader = receiver.reader;
			report.append(String.format("%s: received %d, lost %d, duplicated %d, out of order %d, unexpected %d, "
					+ "stale reads %d (of %d reads: %d after its own writes, %d after received events, %d of every "
					+ "key at the end; %d reads failed, %d not made as the reader was behind); failed writes received "
					+ "anyway %d, revisions reused after a crash %d, writes received at a revision the server lost "
					+ "%d, writes received that the stream does not hold at the end %d; %s%n",
					receiver.coordinator.nodeId(), receiver.received.sum(), receiver.lost(ledger),
					receiver.duplicated.sum(), receiver.outOfOrder.sum(), receiver.unexpected(ledger),
					reader.stale.sum(), reader.checked.sum(), reader.checkedBy("its own write"),
					reader.checkedBy("an event"), reader.checkedBy("the end"), reader.failed.sum(),
					reader.dropped.sum(), receiver.failedButReceived(ledger), receiver.reusedRevisions.sum(),
					receiver.phantoms(ledger), notStored(receiver.byRevision, stored).size(),
					receiver.container.statistics()));
			receiver.samples.values()
				.forEach((samples) -> samples.forEach((sample) -> report.append("    ").append(sample).append('\n')));
			reader.samples.values()
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

	private static void sample(Map<String, List<String>> samples, String kind, String format, Object... arguments) {
		List<String> described = samples.computeIfAbsent(kind, (key) -> new CopyOnWriteArrayList<>());
		if (described.size() < SoakReceiver.SAMPLES) {
			described.add(String.format("%tT.%<tL ", System.currentTimeMillis()) + String.format(format, arguments));
		}
	}

	/**
	 * Reads keys through one node, on a thread of its own, and checks that each read returns at least the
	 * revision the node wrote or received: a read below it is stale. Checks are queued by the writer's
	 * acknowledgements and the node's watch handler, which must not wait for a read.
	 */
	private static final class Reader implements Runnable {

		private final Coordinator coordinator;

		private final BlockingQueue<Check> queue = new ArrayBlockingQueue<>(READ_QUEUE);

		private final Thread thread;

		private volatile boolean running = true;

		final LongAdder checked = new LongAdder();

		final LongAdder stale = new LongAdder();

		final LongAdder failed = new LongAdder();

		final LongAdder dropped = new LongAdder();

		private final Map<String, LongAdder> checkedBy = new ConcurrentHashMap<>();

		final Map<String, List<String>> samples = new ConcurrentHashMap<>();

		/** The first keys read stale. */
		final Set<String> staleKeys = ConcurrentHashMap.newKeySet();

		Reader(Coordinator coordinator) {
			this.coordinator = coordinator;
			this.thread = new Thread(this, "csoak-reader-" + coordinator.nodeId());
		}

		void start() {
			this.thread.start();
		}

		/** Queues a check of a key at a revision this node wrote or received; never waits. */
		void check(String key, long revision, String after) {
			if (!this.queue.offer(new Check(key, revision, after))) {
				this.dropped.increment();
			}
		}

		/** Checks a key at the last revision this node received, once everything has arrived. */
		void finalCheck(String key, long revision) {
			try {
				this.queue.put(new Check(key, revision, "the end"));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		/** Makes the queued checks, then stops. */
		void stop() {
			this.running = false;
			try {
				this.thread.join(TimeUnit.SECONDS.toMillis(60));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			if (this.thread.isAlive()) {
				this.thread.interrupt();
			}
		}

		long checkedBy(String after) {
			LongAdder count = this.checkedBy.get(after);
			return (count != null) ? count.sum() : 0;
		}

		@Override
		public void run() {
			while (this.running || !this.queue.isEmpty()) {
				Check check;
				try {
					check = this.queue.poll(100, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					return;
				}
				if (check != null) {
					read(check);
				}
			}
		}

		private void read(Check check) {
			long startedAt = System.nanoTime();
			Optional<CoordinatorEntry> read;
			try {
				read = this.coordinator.get(check.key());
			}
			catch (RuntimeException ex) {
				this.failed.increment();
				sample(this.samples, "read failed", "read failed: get %s after %s at revision %d: %s", check.key(),
						check.after(), check.revision(), cause(ex));
				return;
			}
			this.checked.increment();
			this.checkedBy.computeIfAbsent(check.after(), (after) -> new LongAdder()).increment();
			long revision = read.map(CoordinatorEntry::revision).orElse(0L);
			if (revision < check.revision()) {
				this.stale.increment();
				if (this.staleKeys.size() < SoakReceiver.SAMPLES) {
					this.staleKeys.add(check.key());
				}
				sample(this.samples, "stale", "stale read: get %s after %s at revision %d returned %s (in %d ms)",
						check.key(), check.after(), check.revision(), read.isPresent() ? "revision " + revision : "nothing",
						(System.nanoTime() - startedAt) / 1_000_000);
			}
		}

		private record Check(String key, long revision, String after) {
		}

	}

	/**
	 * What one node's watch handler received, with some of the events checked by a read through the node.
	 */
	private static final class Receiver extends SoakReceiver {

		final Reader reader;

		Receiver(NatsCoordinator coordinator, EventLogContainer container, Reader reader) {
			super(coordinator, container);
			this.reader = reader;
		}

		@Override
		void receive(CoordinatorEvent event) {
			if ((this.received.sum() + 1) % READ_EVERY == 0) {
				this.reader.check(event.getKey(), event.getRevision(), "an event");
			}
			super.receive(event);
		}

		/** Whether this node received every acknowledged write once and in order, and read nothing stale. */
		boolean isClean(SoakLedger ledger) {
			return lost(ledger) == 0 && this.duplicated.sum() == 0 && this.outOfOrder.sum() == 0
					&& unexpected(ledger) == 0 && this.reader.stale.sum() == 0;
		}

		List<Long> revisionsOf(String key) {
			return ClusterSoakTests.revisionsOf(this.byRevision, key);
		}

	}

}
