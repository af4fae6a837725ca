package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Scenario 9: where one server stops keeping up. The fan-out of scenario 6 at a fixed number of nodes (10 in the
 * full run) on the benchmark's one server, at rising offered write rates (1,000 to 20,000 writes/s), the same
 * nodes from one rate to the next. Per rate: the delivery rate of the slowest node, the deliveries per second
 * that makes for the server (that rate times the nodes), the p99 from issuing a write to its receipt, and the
 * cores that the server and this JVM kept busy. A side keeps up at a rate while its slowest node receives at
 * least {@value #KEEPS_UP} of the offered rate; the sweep stops after the first rate at which neither side keeps
 * up. The target, as in scenario 6, is judged at the rates raw keeps up with; past them the ratio is shown.
 */
final class FanOutCeilingScenario {

	/** Share of the offered rate that the slowest node must receive for a side to keep up. */
	static final double KEEPS_UP = 0.9;

	private FanOutCeilingScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		int nodeCount = scale.ceilingNodes();
		BenchmarkRun rounds = new BenchmarkRun(run.serverUrl(), run.options().withRounds(scale.ceilingRounds()),
				run.settings(), run.payload());
		int maxWrites = writes(scale, Collections.max(scale.ceilingRates()));
		List<Integer> rates = new ArrayList<>();
		List<FanOutNodes.Measured> measured = new ArrayList<>();
		try (FanOutNodes nodes = FanOutNodes.start(List.of(run.serverUrl()), "s9", nodeCount, maxWrites,
				run.settings())) {
			for (int rate : scale.ceilingRates()) {
				FanOutNodes.Measured step = nodes.measure(rounds, writes(scale, rate), rate, rates.isEmpty());
				rates.add(rate);
				measured.add(step);
				if (!keepsUp(step.rates().libraryMedian(), rate) && !keepsUp(step.rates().rawMedian(), rate)) {
					break;
				}
			}
		}
		StringBuilder library = new StringBuilder("nodes " + nodeCount + ", writes/s ");
		StringBuilder raw = new StringBuilder();
		StringBuilder ratios = new StringBuilder();
		List<Double> figures = new ArrayList<>();
		List<String> notes = new ArrayList<>();
		// The fan-out target (>= 0.80 of raw) holds within what the server delivers; past its ceiling both sides
		// fall behind, and how far is shown, not judged.
		double worstWithin = Double.MAX_VALUE;
		double worstPast = Double.MAX_VALUE;
		for (int i = 0; i < rates.size(); i++) {
			FanOutNodes.Measured step = measured.get(i);
			String separator = (i > 0) ? " / " : "";
			library.append(separator)
				.append(Stats.whole(rates.get(i)))
				.append(": ")
				.append(Stats.whole(step.rates().libraryMedian()))
				.append(" p99 ")
				.append(Stats.whole(step.libraryP99()));
			raw.append(separator)
				.append(Stats.whole(step.rates().rawMedian()))
				.append(" p99 ")
				.append(Stats.whole(step.rawP99()));
			ratios.append(separator).append(Stats.ratio(step.rates().ratio()));
			if (keepsUp(step.rates().rawMedian(), rates.get(i))) {
				worstWithin = Math.min(worstWithin, step.rates().ratio());
			}
			else {
				worstPast = Math.min(worstPast, step.rates().ratio());
			}
			figures.addAll(List.of(step.rates().libraryMedian(), step.rates().rawMedian(), step.rates().ratio(),
					(double) step.libraryP99(), (double) step.rawP99()));
			notes.add("    " + FanOutScenario.nodes(nodeCount) + " at " + Stats.whole(rates.get(i))
					+ " writes/s offered: library " + side(step.rates().libraryMedian(), nodeCount, step.libraryP99(), step.library()) + " | raw "
					+ side(step.rates().rawMedian(), nodeCount, step.rawP99(), step.raw()));
		}
		notes.add("    one server, " + FanOutScenario.nodes(nodeCount) + ": library "
				+ ceiling(rates, measured.stream().map((step) -> step.rates().libraryMedian()).toList(), nodeCount)
				+ "; raw " + ceiling(rates, measured.stream().map((step) -> step.rates().rawMedian()).toList(),
						nodeCount));
		List<String> labels = rates.stream().map(Stats::whole).toList();
		List<BarChart> charts = List.of(
				new BarChart("fan-out-ceiling-rate.svg",
						"Delivery rate of the slowest of " + nodeCount + " nodes, one server",
						"offered writes/s (every node receives every write)", "events/s per node", labels,
						measured.stream().map((step) -> step.rates().libraryMedian()).toList(),
						measured.stream().map((step) -> step.rates().rawMedian()).toList()),
				new BarChart("fan-out-ceiling-p99.svg",
						"Write to receipt on every one of " + nodeCount + " nodes, p99, one server",
						"offered writes/s", "microseconds", labels,
						measured.stream().map((step) -> (double) step.libraryP99()).toList(),
						measured.stream().map((step) -> (double) step.rawP99()).toList()));
		return new Result(9, "fan-out ceiling, events/s per node, p99 (us)", library.toString(), raw.toString(),
				ratios.toString(), "rate >= 0.80 at every rate raw keeps up with ("
						+ ((worstWithin < Double.MAX_VALUE) ? Stats.ratio(worstWithin) : "none") + ")"
						+ ((worstPast < Double.MAX_VALUE) ? "; past it " + Stats.ratio(worstPast) : ""),
				worstWithin >= 0.8 && worstWithin < Double.MAX_VALUE, figures, charts, notes);
	}

	/**
	 * Returns the writes of a round at a rate: the scale's seconds of writes.
	 */
	private static int writes(BenchmarkOptions.Scale scale, int rate) {
		return (int) Math.max(1, Math.round(rate * scale.ceilingSeconds()));
	}

	private static boolean keepsUp(double delivered, int offered) {
		return delivered >= KEEPS_UP * offered;
	}

	private static String side(double delivered, int nodeCount, long p99, FanOutNodes.Usage usage) {
		return Stats.whole(delivered) + "/s per node (" + Stats.whole(delivered * nodeCount) + " deliveries/s), p99 "
				+ Stats.whole(p99) + " us, " + usage;
	}

	/**
	 * Describes up to which offered rate a side kept up and where it fell behind.
	 */
	private static String ceiling(List<Integer> rates, List<Double> delivered, int nodeCount) {
		int last = -1;
		for (int i = 0; i < rates.size() && keepsUp(delivered.get(i), rates.get(i)); i++) {
			last = i;
		}
		if (last == rates.size() - 1) {
			return "kept up at every rate measured, up to " + Stats.whole(rates.get(last)) + " writes/s ("
					+ Stats.whole(delivered.get(last) * nodeCount) + " deliveries/s)";
		}
		String behind = "fell behind at " + Stats.whole(rates.get(last + 1)) + " writes/s (slowest node "
				+ Stats.whole(delivered.get(last + 1)) + "/s, " + Stats.whole(delivered.get(last + 1) * nodeCount)
				+ " deliveries/s)";
		if (last < 0) {
			return "already " + behind;
		}
		return "kept up to " + Stats.whole(rates.get(last)) + " writes/s ("
				+ Stats.whole(delivered.get(last) * nodeCount) + " deliveries/s), " + behind;
	}

}
