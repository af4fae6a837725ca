package dev.coordinator.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import dev.coordinator.test.NatsServerProcess;
import io.nats.client.Nats;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootVersion;

/**
 * Starts its own nats-server and runs, in this one process, each scenario for the library and for raw jnats
 * doing the same work, alternating the two; prints one line per scenario with the library's figure, the raw
 * figure and their ratio against the scenario's target. See {@code docs/benchmarks.md}.
 *
 * <pre class="code">
 * java -jar coordinator-benchmarks/target/coordinator-benchmarks.jar [--quick] [--only=1,3] [--jfr=DIR] [--keys=2000000]
 * </pre>
 */
public final class CoordinatorBenchmark {

	private static final String USAGE = """
			Usage: java -jar coordinator-benchmarks.jar [--quick | --smoke] [--only=1,2,...] [--jfr[=DIR]]
			                                            [--keys=N,...] [--charts=DIR] [--settings | --breakdown]
			  --quick      about a quarter of the full run's work
			  --smoke      tiny counts: shows that every scenario works, measures nothing
			  --only=LIST  run only these scenarios (1 sync put, 2 latency, 3 pipelined, 4 dispatch, 5 start,
			               6 fan-out, 7 keys, 8 coordination, 9 fan-out ceiling of one server,
			               10 fan-out on a 3-server cluster)
			  --keys=LIST  more key counts for scenario 7 (the full run has 10,000, 100,000 and 1,000,000), e.g. --keys=2000000 (about 3 KB of heap per key)
			  --charts=DIR write the charts of scenarios 6, 7, 9 and 10 into DIR (default target/charts)
			  --jfr[=DIR]  record each scenario with JFR into DIR (default target/jfr) and summarise the samples
			  --settings   instead of the scenarios, compare bucket and consumer settings
			  --breakdown  instead of the scenarios, split the cost of a library write over raw KeyValue.put""";

	private CoordinatorBenchmark() {
	}

	/**
	 * Runs the benchmark.
	 * @param args the options, see {@code --help}
	 */
	public static void main(String[] args) throws Exception {
		BenchmarkOptions options = BenchmarkOptions.full();
		Set<Integer> scenarios = BenchmarkOptions.ALL_SCENARIOS;
		@Nullable Path jfrDirectory = null;
		@Nullable Path chartsDirectory = null;
		List<Integer> keyCounts = new ArrayList<>();
		String mode = "scenarios";
		for (String arg : args) {
			if (arg.equals("--quick")) {
				options = BenchmarkOptions.quick();
			}
			else if (arg.equals("--smoke")) {
				options = BenchmarkOptions.smoke();
			}
			else if (arg.startsWith("--only=")) {
				scenarios = Arrays.stream(arg.substring("--only=".length()).split(","))
					.map(String::trim)
					.map(Integer::valueOf)
					.collect(Collectors.toSet());
			}
			else if (arg.equals("--jfr") || arg.startsWith("--jfr=")) {
				jfrDirectory = Paths.get(arg.equals("--jfr") ? "target/jfr" : arg.substring("--jfr=".length()));
			}
			else if (arg.startsWith("--keys=")) {
				Arrays.stream(arg.substring("--keys=".length()).split(","))
					.map(String::trim)
					.map(Integer::valueOf)
					.forEach(keyCounts::add);
			}
			else if (arg.startsWith("--charts=")) {
				chartsDirectory = Paths.get(arg.substring("--charts=".length()));
			}
			else if (arg.equals("--settings") || arg.equals("--breakdown")) {
				mode = arg;
			}
			else {
				System.out.println(USAGE);
				System.exit(arg.equals("--help") ? 0 : 2);
			}
		}
		if (!BenchmarkOptions.ALL_SCENARIOS.containsAll(scenarios)) {
			System.out.println(USAGE);
			System.exit(2);
		}
		options = options.only(scenarios).withKeyCounts(keyCounts);
		if (chartsDirectory != null) {
			options = options.chartsTo(chartsDirectory);
		}
		if (jfrDirectory != null) {
			options = options.recordingTo(jfrDirectory.toAbsolutePath());
		}
		switch (mode) {
			case "--settings" -> SettingsComparison.run(options, System.out);
			case "--breakdown" -> CostBreakdown.run(options, System.out);
			default -> run(options, System.out);
		}
	}

	/**
	 * Runs the selected scenarios on a nats-server of their own (scenario 10 on a cluster of three it starts) and
	 * prints their results.
	 * @param options how much work each scenario does
	 * @param out where the results are printed
	 * @return the results, one per scenario
	 */
	static List<Result> run(BenchmarkOptions options, PrintStream out) throws Exception {
		try (NatsServerProcess server = NatsServerProcess.start()) {
			printHeader(server, options, out);
			BenchmarkRun run = BenchmarkRun.create(server.url(), options, BucketAndConsumerSettings.DEFAULTS);
			warmUp(run);
			Profiler profiler = new Profiler(options.jfrDirectory(), out);
			List<Result> results = new ArrayList<>();
			for (int scenario : List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)) {
				if (options.scenarios().contains(scenario)) {
					Result result = profiler.record("scenario-" + scenario, () -> scenario(scenario, run));
					out.println(result.line());
					result.notes().forEach(out::println);
					results.add(result);
					for (BarChart chart : result.charts()) {
						out.println("    chart " + chart.writeTo(options.chartsDirectory()));
					}
				}
			}
			long met = results.stream().filter(Result::met).count();
			out.printf(Locale.ROOT, "%d of %d targets met%n", met, results.size());
			return results;
		}
	}

	/**
	 * Runs the write and receive paths of both sides once with the run's counts on buckets of their own, so
	 * that the first scenario does not pay for the JIT compilation of code that all scenarios share; unless the
	 * options ask for no warm-up.
	 */
	static void warmUp(BenchmarkRun run) throws Exception {
		if (!run.options().warmUp()) {
			return;
		}
		BenchmarkRun once = new BenchmarkRun(run.serverUrl(), run.options().withRounds(1), run.settings(),
				run.payload());
		SyncPutScenario.measure(once, "warm1", run.settings());
		LatencyScenario.measure(once, "warm2", run.settings());
		PipelinedWriteScenario.measure(once, "warm3", run.settings(), run.settings());
	}

	private static Result scenario(int scenario, BenchmarkRun run) throws Exception {
		return switch (scenario) {
			case 1 -> SyncPutScenario.run(run);
			case 2 -> LatencyScenario.run(run);
			case 3 -> PipelinedWriteScenario.run(run);
			case 4 -> DispatchScenario.run(run);
			case 5 -> StartupScenario.run(run);
			case 6 -> FanOutScenario.run(run);
			case 7 -> KeysScenario.run(run);
			case 8 -> CoordinationScenario.run(run);
			case 9 -> FanOutCeilingScenario.run(run);
			case 10 -> ClusterFanOutScenario.run(run);
			default -> throw new IllegalArgumentException("No scenario " + scenario);
		};
	}

	/**
	 * Prints the machine, the versions and the settings that the figures below belong to.
	 */
	static void printHeader(NatsServerProcess server, BenchmarkOptions options, PrintStream out) {
		String serverVersion;
		try (RawNode probe = RawNode.connect(server.url(), "version-probe")) {
			serverVersion = probe.connection().getServerInfo().getVersion();
		}
		out.printf(Locale.ROOT, "machine: %d cores, %s, %s %s %s%n", Runtime.getRuntime().availableProcessors(),
				cpuModel(), System.getProperty("os.name"), System.getProperty("os.version"),
				System.getProperty("os.arch"));
		out.printf(Locale.ROOT, "versions: Java %s (%s), Spring Boot %s, jnats %s, nats-server %s%n",
				System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"),
				SpringBootVersion.getVersion(), jnatsVersion(), serverVersion);
		out.printf(Locale.ROOT, "run: %s, %d measured round(s) per side after a warm-up round, %d-byte values; "
				+ "library defaults: %s%n",
				options.name(), options.rounds(), BenchmarkRun.PAYLOAD_BYTES, BucketAndConsumerSettings.DEFAULTS);
	}

	/**
	 * Returns the version of jnats from its jar's manifest ({@link Nats#CLIENT_VERSION} can read "development").
	 */
	private static String jnatsVersion() {
		try (JarFile jar = new JarFile(Paths.get(Nats.class.getProtectionDomain().getCodeSource().getLocation().toURI())
			.toFile())) {
			Manifest manifest = jar.getManifest();
			String version = (manifest != null) ? manifest.getMainAttributes().getValue("Bundle-Version") : null;
			return (version != null) ? version : Nats.CLIENT_VERSION;
		}
		catch (IOException | URISyntaxException | RuntimeException ex) {
			return Nats.CLIENT_VERSION;
		}
	}

	private static String cpuModel() {
		Path cpuInfo = Paths.get("/proc/cpuinfo");
		try {
			if (Files.isReadable(cpuInfo)) {
				Set<String> models = Files.readAllLines(cpuInfo)
					.stream()
					.filter((line) -> line.startsWith("model name"))
					.map((line) -> line.substring(line.indexOf(':') + 1).trim())
					.collect(Collectors.toSet());
				if (!models.isEmpty()) {
					return String.join(", ", models);
				}
			}
		}
		catch (IOException ex) {
			// Reported as unknown.
		}
		return "CPU model unknown";
	}

}
