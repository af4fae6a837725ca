package dev.coordinator.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Scenario 5: how long a minimal Spring Boot application's context takes to start with the starter (which
 * connects, checks the bucket and creates the node's consumer) and without it, each start in a new JVM
 * as an application starts, the two alternating.
 */
final class StartupScenario {

	/**
	 * Class path entries that only the starter brings (see {@code mvn dependency:tree}): our modules, jnats
	 * and its crypto library, and Jackson 2.
	 */
	private static final Pattern STARTER_ONLY = Pattern
		.compile(".*(coordinator-spring-boot-|/jnats-|/bcprov-|/jackson-[a-z0-9-]+-2\\.).*");

	private StartupScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		Path probe = Files.createTempDirectory("startup-probe-");
		try {
			copyProbeClasses(probe);
			List<Path> withStarter = new ArrayList<>();
			withStarter.add(probe);
			withStarter.addAll(dependencies());
			List<Path> withoutStarter = withStarter.stream()
				.filter((entry) -> !STARTER_ONLY.matcher(entry.toString().replace(File.separatorChar, '/')).matches())
				.toList();
			int[] node = { 0 };
			List<Double> connection = new ArrayList<>();
			List<Double> coordinator = new ArrayList<>();
			List<Double> libraryCpu = new ArrayList<>();
			List<Double> rawCpu = new ArrayList<>();
			BenchmarkRun.Comparison millis = run.compare((warmUp) -> {
				double[] figures = start(run, withStarter, true, node[0]++);
				if (!warmUp) {
					connection.add(figures[1]);
					coordinator.add(figures[2]);
					libraryCpu.add(figures[3]);
				}
				return figures[0];
			}, (warmUp) -> {
				double[] figures = start(run, withoutStarter, false, node[0]++);
				if (!warmUp) {
					rawCpu.add(figures[3]);
				}
				return figures[0];
			});
			double added = millis.libraryMedian() - millis.rawMedian();
			return new Result(5, "context start, new JVM (ms)",
					"with starter " + Stats.whole(millis.libraryMedian()) + " (JVM CPU "
							+ Stats.whole(Stats.median(libraryCpu)) + "; connect "
							+ Stats.whole(Stats.median(connection)) + ", bucket + consumer "
							+ Stats.whole(Stats.median(coordinator)) + ")",
					"without " + Stats.whole(millis.rawMedian()) + " (JVM CPU " + Stats.whole(Stats.median(rawCpu))
							+ ")",
					Stats.ratio(millis.ratio()), "adds <= 300 ms (" + Stats.whole(added) + ")", added <= 300,
					List.of(millis.libraryMedian(), millis.rawMedian(), millis.ratio(), Stats.median(connection),
							Stats.median(libraryCpu), Stats.median(rawCpu)));
		}
		finally {
			try (Stream<Path> files = Files.walk(probe)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
		}
	}

	/**
	 * Copies the probe's classes to a folder of their own, so that the child JVM's class path holds them without
	 * the jar or folder they came from (whose manifest may name every dependency).
	 */
	private static void copyProbeClasses(Path folder) throws IOException {
		for (Class<?> type : List.of(StartupProbe.class, StartupProbe.ProbeApplication.class)) {
			String resource = type.getName().replace('.', '/') + ".class";
			Path target = folder.resolve(resource);
			Files.createDirectories(target.getParent());
			try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
				if (in == null) {
					throw new IOException("Class file " + resource + " not found");
				}
				Files.copy(in, target);
			}
		}
	}

	/**
	 * Starts the probe in a new JVM.
	 * @return the context's start time, the connection's creation time, the coordinator's setup time besides,
	 * and the CPU time the JVM had used when the context had started, in ms
	 */
	private static double[] start(BenchmarkRun run, List<Path> classPath, boolean starter, int node)
			throws IOException, InterruptedException {
		String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = List.of(java, "-cp",
				classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
				StartupProbe.class.getName(), "--coordinator.nats.servers=" + run.serverUrl(),
				"--coordinator.namespace=s5", "--coordinator.node-id=startup-" + node, "--logging.level.root=WARN");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output;
		try {
			output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		finally {
			if (!process.waitFor(BenchmarkRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
			}
		}
		String expected = StartupProbe.REPORT + "(\\d+) coordinator=" + starter
				+ " connection-nanos=(\\d+) setup-nanos=(\\d+) cpu-nanos=(\\d+)";
		Matcher report = Pattern.compile(expected).matcher(output);
		if (process.exitValue() != 0 || !report.find()) {
			throw new IllegalStateException("The start " + (starter ? "with" : "without") + " the starter did not "
					+ "report '" + expected + "':\n" + output);
		}
		return new double[] { Long.parseLong(report.group(1)) / 1e6, Long.parseLong(report.group(2)) / 1e6,
				Long.parseLong(report.group(3)) / 1e6, Long.parseLong(report.group(4)) / 1e6 };
	}

	/**
	 * Returns the jars and folders this JVM's class path is made of, a jar whose manifest names others (the one
	 * started with {@code java -jar}, or a test runner's class path jar) replaced by the ones it names.
	 */
	private static List<Path> dependencies() {
		Set<Path> entries = new LinkedHashSet<>();
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			if (entry.isEmpty()) {
				continue;
			}
			Path path = Paths.get(entry).toAbsolutePath();
			List<Path> named = (entry.endsWith(".jar") && Files.isRegularFile(path)) ? manifestClassPath(path)
					: List.of();
			if (named.isEmpty()) {
				entries.add(path);
			}
			else {
				entries.addAll(named);
			}
		}
		return new ArrayList<>(entries);
	}

	private static List<Path> manifestClassPath(Path jar) {
		try (JarFile file = new JarFile(jar.toFile())) {
			Manifest manifest = file.getManifest();
			String classPath = (manifest != null) ? manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH)
					: null;
			if (classPath == null || classPath.isBlank()) {
				return List.of();
			}
			List<Path> entries = new ArrayList<>();
			for (String entry : classPath.trim().split("\\s+")) {
				entries.add(Paths.get(jar.toUri().resolve(entry)));
			}
			return entries;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
