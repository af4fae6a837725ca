package dev.coordinator.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * How much work each scenario does, and which scenarios run.
 *
 * @param name the name of this preset, printed with the results
 * @param warmUp whether the write and receive paths of both sides run once before the first scenario
 * @param rounds measured rounds per side and scenario, after one warm-up round per side; the sides alternate
 * @param syncPuts synchronous puts per round (scenario 1)
 * @param latencySamples writes timed one at a time per round (scenario 2, which splits them over four shorter rounds)
 * @param pipelinedWrites writes per round (scenario 3)
 * @param inFlight writes awaiting their acknowledgement at most (scenario 3 and backlogs)
 * @param dispatchEvents events in the backlog drained per round (scenario 4)
 * @param watchCounts numbers of watch registrations compared (scenario 4); the first is the baseline
 * @param startups context starts per side, each in a new JVM (scenario 5)
 * @param scale the sizes and counts of the scaling scenarios (6 to 10)
 * @param scenarios the scenarios to run
 * @param jfrDirectory where to write a JFR recording per scenario, or {@code null} for none
 * @param chartsDirectory where to write the charts of the scaling scenarios
 */
record BenchmarkOptions(String name, boolean warmUp, int rounds, int syncPuts, int latencySamples,
		int pipelinedWrites, int inFlight, int dispatchEvents, List<Integer> watchCounts, int startups, Scale scale,
		Set<Integer> scenarios, @Nullable Path jfrDirectory, Path chartsDirectory) {

	static final Set<Integer> ALL_SCENARIOS = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

	private static final Path DEFAULT_CHARTS = Path.of("target", "charts");

	/** Offered write rates of the search for the point where one server stops keeping up (scenario 9). */
	private static final List<Integer> CEILING_RATES = List.of(1_000, 2_000, 5_000, 10_000, 20_000);

	/** The documented run. */
	static BenchmarkOptions full() {
		return new BenchmarkOptions("full", true, 5, 4_000, 4_000, 50_000, 1_000, 20_000, List.of(1, 100, 10_000), 11,
				new Scale(List.of(1, 5, 10, 20), 3_000, 1_000, 3, List.of(10_000, 100_000, 1_000_000), 3, 500, 4, 3, 10,
						CEILING_RATES, 2.0, 2, List.of(1, 5, 10)),
				ALL_SCENARIOS, null, DEFAULT_CHARTS);
	}

	/** About a quarter of the full run's work. */
	static BenchmarkOptions quick() {
		return new BenchmarkOptions("quick", true, 3, 1_500, 1_500, 20_000, 1_000, 8_000, List.of(1, 100, 10_000), 5,
				new Scale(List.of(1, 5, 10, 20), 1_000, 1_000, 1, List.of(10_000, 100_000), 1, 200, 4, 1, 10,
						CEILING_RATES, 1.0, 1, List.of(1, 5, 10)),
				ALL_SCENARIOS, null, DEFAULT_CHARTS);
	}

	/** Tiny counts that only show that every scenario works. */
	static BenchmarkOptions smoke() {
		return new BenchmarkOptions("smoke", false, 1, 50, 50, 500, 100, 200, List.of(1, 100, 10_000), 1,
				new Scale(List.of(1, 2), 100, 500, 1, List.of(1_000), 1, 50, 1, 1, 1, List.of(250, 500), 0.2, 1,
						List.of(1)),
				ALL_SCENARIOS, null, DEFAULT_CHARTS);
	}

	BenchmarkOptions only(Set<Integer> scenarios) {
		return new BenchmarkOptions(this.name, this.warmUp, this.rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups, this.scale,
				Set.copyOf(scenarios), this.jfrDirectory, this.chartsDirectory);
	}

	BenchmarkOptions withRounds(int rounds) {
		return new BenchmarkOptions(this.name, this.warmUp, rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups, this.scale,
				this.scenarios, this.jfrDirectory, this.chartsDirectory);
	}

	BenchmarkOptions recordingTo(Path jfrDirectory) {
		return new BenchmarkOptions(this.name, this.warmUp, this.rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups, this.scale,
				this.scenarios, jfrDirectory, this.chartsDirectory);
	}

	BenchmarkOptions chartsTo(Path chartsDirectory) {
		return new BenchmarkOptions(this.name, this.warmUp, this.rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups, this.scale,
				this.scenarios, this.jfrDirectory, chartsDirectory);
	}

	/**
	 * Returns these options with more key counts for scenario 7, besides the preset's.
	 */
	BenchmarkOptions withKeyCounts(List<Integer> more) {
		Set<Integer> counts = new TreeSet<>(this.scale.keyCounts());
		counts.addAll(more);
		Scale scale = new Scale(this.scale.fanOutSizes(), this.scale.fanOutWrites(), this.scale.fanOutRate(),
				this.scale.fanOutRounds(), List.copyOf(counts), this.scale.keyRounds(), this.scale.lockRoundTrips(),
				this.scale.heartbeatSeconds(), this.scale.kills(), this.scale.ceilingNodes(), this.scale.ceilingRates(),
				this.scale.ceilingSeconds(), this.scale.ceilingRounds(), this.scale.clusterSizes());
		return new BenchmarkOptions(this.name, this.warmUp, this.rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups, scale,
				this.scenarios, this.jfrDirectory, this.chartsDirectory);
	}

	/**
	 * The sizes and counts of the scaling scenarios, which cost more per round than the others and so run fewer
	 * rounds.
	 *
	 * @param fanOutSizes numbers of nodes that each receive every write (scenario 6)
	 * @param fanOutWrites writes per round (scenario 6)
	 * @param fanOutRate writes per second, issued at a fixed rate (scenario 6)
	 * @param fanOutRounds measured rounds per side and size (scenario 6)
	 * @param keyCounts numbers of keys of a starting node's initial state (scenario 7)
	 * @param keyRounds measured rounds per side and key count (scenario 7)
	 * @param lockRoundTrips lock acquire/release round trips per round (scenario 8)
	 * @param heartbeatSeconds seconds over which the members' heartbeat writes are counted (scenario 8)
	 * @param kills member JVMs killed with SIGKILL (scenario 8)
	 * @param ceilingNodes nodes that each receive every write while the write rate rises (scenario 9)
	 * @param ceilingRates offered write rates, in writes per second, in rising order (scenario 9)
	 * @param ceilingSeconds seconds of writes per round at each rate (scenario 9)
	 * @param ceilingRounds measured rounds per side and rate (scenario 9)
	 * @param clusterSizes numbers of nodes of the fan-out on a three-server cluster, at the rate, writes and
	 * rounds of scenario 6 (scenario 10)
	 */
	record Scale(List<Integer> fanOutSizes, int fanOutWrites, int fanOutRate, int fanOutRounds,
			List<Integer> keyCounts, int keyRounds, int lockRoundTrips, int heartbeatSeconds, int kills,
			int ceilingNodes, List<Integer> ceilingRates, double ceilingSeconds, int ceilingRounds,
			List<Integer> clusterSizes) {
	}

}
