package dev.coordinator.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * How much work each scenario does, and which scenarios run.
 *
 * @param name the name of this preset, printed with the results
 * @param warmUp whether the write and receive paths of both sides run once before the first scenario
 * @param rounds measured rounds per side and scenario, after one warm-up round per side; the sides alternate
 * @param syncPuts synchronous puts per round (scenario 1)
 * @param latencySamples writes timed one at a time per round (scenario 2)
 * @param pipelinedWrites writes per round (scenario 3)
 * @param inFlight writes awaiting their acknowledgement at most (scenario 3 and backlogs)
 * @param dispatchEvents events in the backlog drained per round (scenario 4)
 * @param watchCounts numbers of watch registrations compared (scenario 4); the first is the baseline
 * @param startups context starts per side, each in a new JVM (scenario 5)
 * @param scenarios the scenarios to run
 * @param jfrDirectory where to write a JFR recording per scenario, or {@code null} for none
 */
record BenchmarkOptions(String name, boolean warmUp, int rounds, int syncPuts, int latencySamples,
		int pipelinedWrites, int inFlight, int dispatchEvents, List<Integer> watchCounts, int startups,
		Set<Integer> scenarios, @Nullable Path jfrDirectory) {

	static final Set<Integer> ALL_SCENARIOS = Set.of(1, 2, 3, 4, 5);

	/** The documented run: a few minutes on two cores. */
	static BenchmarkOptions full() {
		return new BenchmarkOptions("full", true, 5, 4_000, 4_000, 50_000, 1_000, 20_000, List.of(1, 100, 10_000), 7,
				ALL_SCENARIOS, null);
	}

	/** About a quarter of the full run's work. */
	static BenchmarkOptions quick() {
		return new BenchmarkOptions("quick", true, 3, 1_500, 1_500, 20_000, 1_000, 8_000, List.of(1, 100, 10_000), 3,
				ALL_SCENARIOS, null);
	}

	/** Tiny counts that only show that every scenario works. */
	static BenchmarkOptions smoke() {
		return new BenchmarkOptions("smoke", false, 1, 50, 50, 500, 100, 200, List.of(1, 100, 10_000), 1, ALL_SCENARIOS,
				null);
	}

	BenchmarkOptions only(Set<Integer> scenarios) {
		return new BenchmarkOptions(this.name, this.warmUp, this.rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups,
				Set.copyOf(scenarios), this.jfrDirectory);
	}

	BenchmarkOptions withRounds(int rounds) {
		return new BenchmarkOptions(this.name, this.warmUp, rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups,
				this.scenarios, this.jfrDirectory);
	}

	BenchmarkOptions recordingTo(Path jfrDirectory) {
		return new BenchmarkOptions(this.name, this.warmUp, this.rounds, this.syncPuts, this.latencySamples,
				this.pipelinedWrites, this.inFlight, this.dispatchEvents, this.watchCounts, this.startups,
				this.scenarios, jfrDirectory);
	}

}
