package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 6: fan-out to 1, 5, 10 and 20 nodes. One node writes at a fixed rate and every node, the writer
 * included, receives every write. The library's nodes are Spring contexts in this one JVM, each with its own
 * connection and consumer; the raw side has as many connections, each with a durable consumer, the first of
 * them writing. The figures per size: the delivery rate of the slowest node (writes divided by the time from the
 * first write to that node's last receipt) and the end-to-end p99 from issuing a write to its receipt, over
 * every node and write.
 */
final class FanOutScenario {

	private FanOutScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		BenchmarkRun rounds = new BenchmarkRun(run.serverUrl(), run.options().withRounds(scale.fanOutRounds()),
				run.settings(), run.payload());
		List<Integer> sizes = scale.fanOutSizes();
		List<FanOutNodes.Measured> measured = new ArrayList<>();
		List<String> notes = new ArrayList<>();
		for (int nodes : sizes) {
			FanOutNodes.Measured size = measure(rounds, nodes);
			measured.add(size);
			notes.add("    " + nodes(nodes) + ": the server and JVM busy: library " + size.library() + " | raw "
					+ size.raw());
		}
		return result(6, "fan-out, events/s per node and p99 (us)", "fan-out", "", sizes, measured, scale.fanOutRate(),
				notes);
	}

	/**
	 * Returns the result of a fan-out at several sizes: per size, the slowest node's delivery rate and the p99 of
	 * each side; the target is a ratio of at least 0.80 at every size. Draws the rate and the p99 per size.
	 * @param scenario the scenario's number
	 * @param title what was measured
	 * @param chartPrefix the start of the charts' file names, e.g. {@code fan-out}
	 * @param where what the charts' titles add about the servers, e.g. {@code , 3-server cluster}
	 * @param sizes the numbers of nodes
	 * @param measured the figures per size
	 * @param rate the offered write rate
	 * @param notes lines printed under the result
	 */
	static Result result(int scenario, String title, String chartPrefix, String where, List<Integer> sizes,
			List<FanOutNodes.Measured> measured, int rate, List<String> notes) {
		StringBuilder library = new StringBuilder();
		StringBuilder raw = new StringBuilder();
		StringBuilder ratios = new StringBuilder();
		List<Double> figures = new ArrayList<>();
		boolean met = true;
		double worst = Double.MAX_VALUE;
		for (int i = 0; i < sizes.size(); i++) {
			FanOutNodes.Measured size = measured.get(i);
			String separator = (i > 0) ? " / " : "";
			library.append(separator)
				.append(sizes.get(i))
				.append(": ")
				.append(Stats.whole(size.rates().libraryMedian()))
				.append(" p99 ")
				.append(Stats.whole(size.libraryP99()));
			raw.append(separator)
				.append(Stats.whole(size.rates().rawMedian()))
				.append(" p99 ")
				.append(Stats.whole(size.rawP99()));
			ratios.append(separator).append(Stats.ratio(size.rates().ratio()));
			worst = Math.min(worst, size.rates().ratio());
			met &= size.rates().ratio() >= 0.8;
			figures.addAll(List.of(size.rates().libraryMedian(), size.rates().rawMedian(), size.rates().ratio(),
					(double) size.libraryP99(), (double) size.rawP99()));
		}
		List<String> labels = sizes.stream().map(String::valueOf).toList();
		List<BarChart> charts = List.of(
				new BarChart(chartPrefix + "-rate.svg",
						"Delivery rate of the slowest node, writes at " + Stats.whole(rate) + "/s" + where,
						"nodes (each receives every write)", "events/s per node", labels,
						measured.stream().map((size) -> size.rates().libraryMedian()).toList(),
						measured.stream().map((size) -> size.rates().rawMedian()).toList()),
				new BarChart(chartPrefix + "-p99.svg", "Write to receipt on every node, p99" + where, "nodes",
						"microseconds", labels, measured.stream().map((size) -> (double) size.libraryP99()).toList(),
						measured.stream().map((size) -> (double) size.rawP99()).toList()));
		return new Result(scenario, title, "nodes " + library, raw.toString(), ratios.toString(),
				"rate >= 0.80 at every size (" + Stats.ratio(worst) + ")", met, figures, charts, notes);
	}

	/**
	 * Returns a number of nodes in words, e.g. {@code 1 node} or {@code 5 nodes}.
	 */
	static String nodes(int count) {
		return count + ((count == 1) ? " node" : " nodes");
	}

	/**
	 * Measures both sides with a number of nodes, on fresh buckets.
	 */
	private static FanOutNodes.Measured measure(BenchmarkRun run, int nodeCount) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		try (FanOutNodes nodes = FanOutNodes.start(List.of(run.serverUrl()), "s6n" + nodeCount, nodeCount,
				scale.fanOutWrites(), run.settings())) {
			return nodes.measure(run, scale.fanOutWrites(), scale.fanOutRate(), true);
		}
	}

}
