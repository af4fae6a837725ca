package dev.coordinator.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Medians, percentiles and the number formats of the printed results.
 */
final class Stats {

	private Stats() {
	}

	static double median(List<Double> values) {
		if (values.isEmpty()) {
			throw new IllegalArgumentException("No values");
		}
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	/**
	 * Returns a percentile by the nearest-rank method.
	 * @param values the samples, in any order
	 * @param fraction e.g. 0.99 for p99
	 */
	static long percentile(long[] values, double fraction) {
		if (values.length == 0) {
			throw new IllegalArgumentException("No values");
		}
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		int rank = (int) Math.ceil(fraction * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
	}

	static double perSecond(long count, long nanos) {
		return count * 1e9 / Math.max(1, nanos);
	}

	/**
	 * Formats a number as a whole number with thousands separators, e.g. {@code 12,345}.
	 */
	static String whole(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	/**
	 * Formats a ratio with two decimals.
	 */
	static String ratio(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

}
