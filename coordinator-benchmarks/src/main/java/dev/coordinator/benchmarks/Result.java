package dev.coordinator.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of one scenario: the library's figure, raw jnats's figure for the same work, their ratio, and
 * whether the scenario's target was met.
 *
 * @param scenario the scenario's number, 1 to 10
 * @param title what was measured
 * @param library the library's figure, with its unit
 * @param raw the raw figure, with its unit
 * @param ratio library divided by raw
 * @param target the target and the value it is judged on
 * @param met whether the target was met
 * @param figures every measured number of the line, for checks that they are positive
 * @param charts the charts drawn from the figures, if any
 * @param notes lines printed under the result, e.g. the figures of each step and what they show
 */
record Result(int scenario, String title, String library, String raw, String ratio, String target, boolean met,
		List<Double> figures, List<BarChart> charts, List<String> notes) {

	Result(int scenario, String title, String library, String raw, String ratio, String target, boolean met,
			List<Double> figures) {
		this(scenario, title, library, raw, ratio, target, met, figures, List.of());
	}

	Result(int scenario, String title, String library, String raw, String ratio, String target, boolean met,
			List<Double> figures, List<BarChart> charts) {
		this(scenario, title, library, raw, ratio, target, met, figures, charts, List.of());
	}

	/**
	 * Returns the line printed for this result.
	 */
	String line() {
		return String.format(Locale.ROOT, "[%d] %-40s library %s | raw %s | ratio %s | target %s: %s", this.scenario,
				this.title, this.library, this.raw, this.ratio, this.target, this.met ? "met" : "MISSED");
	}

}
