package dev.coordinator.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the scenarios of one run share: the server, the amount of work, the bucket and consumer settings of
 * both sides, the payload, and the way raw and library rounds alternate.
 *
 * @param serverUrl the URL of the benchmark's own nats-server
 * @param options how much work each scenario does
 * @param settings the bucket and consumer settings of both sides
 * @param payload the value of every write
 */
record BenchmarkRun(String serverUrl, BenchmarkOptions options, BucketAndConsumerSettings settings, byte[] payload) {

	/** Size of every value written. */
	static final int PAYLOAD_BYTES = 100;

	/** Longest a round may wait for acknowledgements or deliveries before it fails. */
	static final Duration TIMEOUT = Duration.ofSeconds(120);

	static BenchmarkRun create(String serverUrl, BenchmarkOptions options, BucketAndConsumerSettings settings) {
		byte[] payload = new byte[PAYLOAD_BYTES];
		new Random(42).nextBytes(payload);
		return new BenchmarkRun(serverUrl, options, settings, payload);
	}

	/**
	 * Runs one warm-up round per side, then {@link BenchmarkOptions#rounds()} measured rounds per side,
	 * alternating which side goes first so that drift affects both alike.
	 * @param library the library's round
	 * @param raw raw jnats's round
	 * @return the figures of the measured rounds
	 */
	Comparison compare(Measurement library, Measurement raw) throws Exception {
		return compare(true, library, raw);
	}

	/**
	 * Runs, when asked, one warm-up round per side, then {@link BenchmarkOptions#rounds()} measured rounds per
	 * side, alternating which side goes first.
	 * @param warmUp whether a warm-up round per side runs first; without one, the sides must have been warmed
	 * up on the same nodes before
	 * @param library the library's round
	 * @param raw raw jnats's round
	 * @return the figures of the measured rounds
	 */
	Comparison compare(boolean warmUp, Measurement library, Measurement raw) throws Exception {
		if (warmUp) {
			raw.measure(true);
			library.measure(true);
		}
		List<Double> libraryFigures = new ArrayList<>();
		List<Double> rawFigures = new ArrayList<>();
		for (int round = 0; round < this.options.rounds(); round++) {
			if (round % 2 == 0) {
				libraryFigures.add(library.measure(false));
				rawFigures.add(raw.measure(false));
			}
			else {
				rawFigures.add(raw.measure(false));
				libraryFigures.add(library.measure(false));
			}
		}
		return new Comparison(libraryFigures, rawFigures);
	}

	/**
	 * One round of one side.
	 */
	@FunctionalInterface
	interface Measurement {

		/**
		 * Does the round's work.
		 * @param warmUp whether this is the warm-up round, whose figure is discarded
		 * @return the round's figure
		 */
		double measure(boolean warmUp) throws Exception;

	}

	/**
	 * The figures of the measured rounds of both sides.
	 *
	 * @param library the library's figures, one per round
	 * @param raw raw jnats's figures, one per round
	 */
	record Comparison(List<Double> library, List<Double> raw) {

		double libraryMedian() {
			return Stats.median(this.library);
		}

		double rawMedian() {
			return Stats.median(this.raw);
		}

		double ratio() {
			return libraryMedian() / rawMedian();
		}

	}

}
