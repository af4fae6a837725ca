package dev.coordinator.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.Registration;
import dev.coordinator.lock.CoordinatorLock;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.ClusterMembership;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;

/**
 * Scenario 8: the cost of coordination. A lock acquired and released ({@link CoordinatorLock#tryLock} without
 * waiting, then {@link CoordinatorLock#unlock}) against a raw {@link KeyValue#create} / {@link KeyValue#delete(String,
 * long)} pair, one after the other; the writes per second a member's heartbeat costs, from the growth of the
 * bucket's stream while {@value #SURVIVORS} members idle, against one write per heartbeat; and the time from
 * the SIGKILL of a member's JVM until every survivor received the DELETE of its record, against the lease. The
 * members use a lease of {@value #LEASE_MILLIS} ms and a heartbeat of {@value #HEARTBEAT_MILLIS} ms, so that a
 * kill takes seconds, not the defaults' 10 to 16 s.
 */
final class CoordinationScenario {

	private static final int SURVIVORS = 3;

	private static final long LEASE_MILLIS = 2_000;

	private static final long HEARTBEAT_MILLIS = 500;

	private static final Duration LOCK_TTL = Duration.ofSeconds(10);

	private CoordinationScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		BenchmarkRun.Comparison lock = lockRoundTrips(run, scale.lockRoundTrips());
		List<String> membership = List.of("coordinator.membership.enabled=true",
				"coordinator.membership.lease-ttl=" + LEASE_MILLIS + "ms",
				"coordinator.membership.heartbeat=" + HEARTBEAT_MILLIS + "ms");
		List<LibraryNode> survivors = new ArrayList<>();
		try {
			for (int i = 0; i < SURVIVORS; i++) {
				survivors.add(LibraryNode.start(run.serverUrl(), "s8m", "survivor-" + i, run.settings(),
						LibraryNode.NodeConfiguration.class, membership.toArray(String[]::new)));
			}
			double heartbeatWrites = heartbeatWritesPerMember(run, survivors);
			List<Double> detections = new ArrayList<>();
			for (int kill = 0; kill < scale.kills(); kill++) {
				detections.add(detectKill(run, survivors, "killed-" + kill, membership));
			}
			double detected = Stats.median(detections);
			double perHeartbeat = 1000.0 / HEARTBEAT_MILLIS;
			double heartbeatRatio = heartbeatWrites / perHeartbeat;
			double detectionRatio = detected / LEASE_MILLIS;
			boolean met = heartbeatRatio <= 1.1 && detected <= LEASE_MILLIS + 2 * HEARTBEAT_MILLIS;
			return new Result(8, "lock round trip (us), heartbeat, SIGKILL",
					"lock " + Stats.whole(lock.libraryMedian()) + ", heartbeat " + String.format(Locale.ROOT, "%.2f", heartbeatWrites)
							+ " writes/s per member, kill -> DELETE " + Stats.whole(detected) + " ms",
					"create/delete " + Stats.whole(lock.rawMedian()) + ", " + String.format(Locale.ROOT, "%.2f", perHeartbeat)
							+ " (1 per heartbeat), lease " + LEASE_MILLIS + " ms",
					"lock " + Stats.ratio(lock.ratio()) + " heartbeat " + Stats.ratio(heartbeatRatio) + " kill/lease "
							+ Stats.ratio(detectionRatio),
					"heartbeat <= 1.10, kill <= lease + 2 heartbeats", met,
					List.of(lock.libraryMedian(), lock.rawMedian(), lock.ratio(), heartbeatWrites, heartbeatRatio,
							detected, detectionRatio));
		}
		finally {
			survivors.forEach(LibraryNode::close);
		}
	}

	/**
	 * Measures lock acquire/release round trips against raw create/delete pairs.
	 * @return microseconds per round trip
	 */
	private static BenchmarkRun.Comparison lockRoundTrips(BenchmarkRun run, int roundTrips) throws Exception {
		try (LibraryNode node = LibraryNode.start(run.serverUrl(), "s8l", "locker", run.settings());
				RawNode raw = RawNode.connect(run.serverUrl(), "raw-s8l")) {
			raw.createBucket("s8l_raw", run.settings());
			KeyValue keyValue = raw.keyValue("s8l_raw");
			CoordinatorLock lock = node.bean(CoordinatorLocks.class).obtain("bench");
			byte[] payload = run.payload();
			return run.compare((warmUp) -> {
				long start = System.nanoTime();
				for (int i = 0; i < roundTrips; i++) {
					if (!lock.tryLock(Duration.ZERO, LOCK_TTL)) {
						throw new IllegalStateException("The free lock 'bench' was not acquired");
					}
					lock.unlock();
				}
				return (System.nanoTime() - start) / 1e3 / roundTrips;
			}, (warmUp) -> {
				long start = System.nanoTime();
				for (int i = 0; i < roundTrips; i++) {
					try {
						keyValue.delete("locks.bench", keyValue.create("locks.bench", payload));
					}
					catch (JetStreamApiException ex) {
						throw new IllegalStateException("The free key 'locks.bench' was not created and deleted", ex);
					}
				}
				return (System.nanoTime() - start) / 1e3 / roundTrips;
			});
		}
	}

	/**
	 * Returns the writes per second and member that the bucket's stream grows by while only the members' heartbeats
	 * write.
	 */
	private static double heartbeatWritesPerMember(BenchmarkRun run, List<LibraryNode> members) throws Exception {
		long window = TimeUnit.SECONDS.toMillis(run.options().scale().heartbeatSeconds());
		try (RawNode probe = RawNode.connect(run.serverUrl(), "raw-s8m-probe")) {
			long first = lastSequence(probe);
			long start = System.nanoTime();
			Thread.sleep(window);
			long last = lastSequence(probe);
			double seconds = (System.nanoTime() - start) / 1e9;
			return (last - first) / seconds / members.size();
		}
	}

	private static long lastSequence(RawNode probe) throws IOException, JetStreamApiException {
		return probe.management().getStreamInfo("KV_s8m").getStreamState().getLastSequence();
	}

	/**
	 * Starts a member in a JVM of its own, kills it with SIGKILL once every survivor sees it, and returns the
	 * milliseconds until every survivor received the DELETE of its record.
	 */
	private static double detectKill(BenchmarkRun run, List<LibraryNode> survivors, String nodeId,
			List<String> membership) throws Exception {
		String record = "/nodes/" + nodeId;
		Map<Integer, Long> deleted = new ConcurrentHashMap<>();
		List<Registration> watches = new ArrayList<>();
		for (int i = 0; i < survivors.size(); i++) {
			int survivor = i;
			watches.add(survivors.get(i).coordinator().watch("/nodes/", (event) -> {
				if (event.getKey().equals(record) && event.getAction() == CoordinatorAction.DELETE) {
					deleted.putIfAbsent(survivor, System.nanoTime());
				}
			}));
		}
		Path output = Files.createTempFile("member-probe-", ".log");
		Process member = startMember(run, nodeId, membership, output);
		try {
			long deadline = System.nanoTime() + BenchmarkRun.TIMEOUT.toNanos();
			while (!survivors.stream().allMatch((node) -> node.bean(ClusterMembership.class).isMember(nodeId))) {
				waitOrFail(deadline, "Survivors did not see member '" + nodeId + "' join");
			}
			long killed = System.nanoTime();
			member.destroyForcibly();
			while (deleted.size() < survivors.size()) {
				waitOrFail(deadline, "Survivors " + deleted.keySet() + " of " + survivors.size()
						+ " received the DELETE of '" + record + "'");
			}
			long last = deleted.values().stream().mapToLong(Long::longValue).max().orElseThrow();
			return (last - killed) / 1e6;
		}
		finally {
			member.destroyForcibly();
			member.waitFor();
			watches.forEach(Registration::close);
			Files.deleteIfExists(output);
		}
	}

	private static Process startMember(BenchmarkRun run, String nodeId, List<String> membership, Path output)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(
				Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), MemberProbe.class.getName(),
				"--coordinator.nats.servers=" + run.serverUrl(), "--coordinator.namespace=s8m",
				"--coordinator.node-id=" + nodeId, "--logging.level.root=WARN"));
		membership.forEach((property) -> command.add("--" + property));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		long deadline = System.nanoTime() + BenchmarkRun.TIMEOUT.toNanos();
		while (!Files.readString(output).contains(MemberProbe.READY + nodeId)) {
			if (!process.isAlive()) {
				throw new IllegalStateException("The member JVM ended before it ran:\n" + Files.readString(output));
			}
			waitOrFail(deadline, "The member JVM did not start:\n" + Files.readString(output));
		}
		return process;
	}

	private static void waitOrFail(long deadline, String failure) throws InterruptedException {
		if (System.nanoTime() > deadline) {
			throw new IllegalStateException(failure + " within " + BenchmarkRun.TIMEOUT);
		}
		Thread.sleep(5);
	}

}
