package dev.coordinator.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every scenario with tiny counts, to keep the benchmark compiling and working. It measures nothing:
 * whether a target was met is not checked.
 */
class BenchmarkSmokeTests {

	@TempDir
	Path charts;

	@Test
	void everyScenarioPrintsALineWithPositiveFiguresAndDrawsItsCharts() throws Exception {
		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		List<Result> results;
		try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
			results = CoordinatorBenchmark.run(BenchmarkOptions.smoke().chartsTo(this.charts), out);
		}
		String output = printed.toString(StandardCharsets.UTF_8);
		assertThat(results).extracting(Result::scenario).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
		for (Result result : results) {
			assertThat(output).contains(result.line());
			assertThat(result.notes()).allSatisfy((note) -> assertThat(output).contains(note));
			assertThat(result.line()).contains("library ", "| raw ", "| ratio ", "| target ");
			assertThat(result.figures()).isNotEmpty().allSatisfy((figure) -> assertThat(figure).isPositive());
		}
		assertThat(this.charts).isDirectoryContaining("glob:**/fan-out-rate.svg")
			.isDirectoryContaining("glob:**/fan-out-p99.svg")
			.isDirectoryContaining("glob:**/keys-initial-sync.svg")
			.isDirectoryContaining("glob:**/keys-heap.svg")
			.isDirectoryContaining("glob:**/fan-out-ceiling-rate.svg")
			.isDirectoryContaining("glob:**/fan-out-ceiling-p99.svg")
			.isDirectoryContaining("glob:**/cluster-fan-out-rate.svg")
			.isDirectoryContaining("glob:**/cluster-fan-out-p99.svg");
		Result ceiling = results.get(8);
		assertThat(ceiling.notes()).last().asString().startsWith("    one server, 1 node: library ").contains("; raw ");
		Result cluster = results.get(9);
		assertThat(cluster.notes()).singleElement()
			.asString()
			.contains("library: stream leader bench-s", "consumer leaders bench-s", "raw: stream leader bench-s");
		assertThat(this.charts.resolve("keys-heap.svg")).content()
			.startsWith("<svg ")
			.contains("library", "raw jnats", ">1,000<")
			.endsWith("</svg>\n");
	}

}
