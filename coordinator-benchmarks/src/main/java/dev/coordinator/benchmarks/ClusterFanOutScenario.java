package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.List;

import dev.coordinator.test.NatsCluster;
import dev.coordinator.test.NatsServerProcess;

/**
 * Scenario 10: the fan-out of scenario 6 (same rate, writes and rounds) on a JetStream cluster of three
 * nats-servers started for it, at 1, 5 and 10 nodes. Each side's bucket has {@value #REPLICAS} replicas (the
 * library's through {@code coordinator.bucket.replicas}, the raw one created alike), so its nodes' durable
 * consumers have as many; node {@code i} of each side connects to server {@code i} modulo 3. Per size, besides the
 * figures of scenario 6, it prints which servers lead the bucket streams and the nodes' consumers, and the cores
 * the three servers and this JVM kept busy.
 */
final class ClusterFanOutScenario {

	/** Copies of each bucket, one per server. */
	static final int REPLICAS = 3;

	private ClusterFanOutScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		BucketAndConsumerSettings settings = run.settings().withReplicas(REPLICAS);
		List<Integer> sizes = scale.clusterSizes();
		List<FanOutNodes.Measured> measured = new ArrayList<>();
		List<String> notes = new ArrayList<>();
		try (NatsCluster cluster = NatsCluster.start("bench")) {
			List<String> urls = cluster.servers().values().stream().map(NatsServerProcess::url).toList();
			BenchmarkRun rounds = new BenchmarkRun(cluster.urls(), run.options().withRounds(scale.fanOutRounds()),
					settings, run.payload());
			for (int nodeCount : sizes) {
				try (FanOutNodes nodes = FanOutNodes.start(urls, "s10n" + nodeCount, nodeCount, scale.fanOutWrites(),
						settings)) {
					FanOutNodes.Measured size = nodes.measure(rounds, scale.fanOutWrites(), scale.fanOutRate(), true);
					measured.add(size);
					notes.add("    " + FanOutScenario.nodes(nodeCount) + ": " + nodes.placement()
							+ "; 3 servers and JVM busy: library " + size.library() + " | raw " + size.raw());
				}
			}
		}
		return FanOutScenario.result(10, "fan-out, 3-server cluster, R" + REPLICAS + ", events/s, p99",
				"cluster-fan-out", ", 3 servers, R" + REPLICAS, sizes, measured, scale.fanOutRate(), notes);
	}

}
