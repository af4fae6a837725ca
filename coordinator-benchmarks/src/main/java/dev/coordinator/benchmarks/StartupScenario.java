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
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.nats.client.api.ConsumerConfiguration;

/**
 * Scenario 5: how long a minimal Spring Boot application's context takes to start with the starter (which
 * connects, checks the bucket and creates the node's consumer), with raw jnats doing the start work
 * of an application that reads the bucket's log by hand (connect, bucket status, durable consumer), and with no
 * NATS at all, each start in a new JVM as an application starts, the three taking turns.
 */
final class StartupScenario {

	/**
	 * Class path entries that only the starter brings (see {@code mvn dependency:tree}): our modules, jnats
	 * and its crypto library, and Jackson 2.
	 */
	private static final Pattern STARTER_ONLY = Pattern
		.compile(".*(coordinator-core|coordinator-spring-boot-|/jnats-|/bcprov-|/jackson-[a-z0-9-]+-2\\.).*");

	/** Class path entries of jnats and of what it needs that Spring Boot does not bring: its crypto library. */
	private static final Pattern JNATS = Pattern.compile(".*(/jnats-|/bcprov-).*");

	private StartupScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		Path probe = Files.createTempDirectory("startup-probe-");
		try {
			copyProbeClasses(probe);
			List<Path> withStarter = new ArrayList<>();
			withStarter.add(probe);
			withStarter.addAll(dependencies());
			List<Path> withoutNats = withStarter.stream().filter((entry) -> !matches(STARTER_ONLY, entry)).toList();
			List<Path> withJnats = withStarter.stream()
				.filter((entry) -> !matches(STARTER_ONLY, entry) || matches(JNATS, entry))
				.toList();
			ConsumerConfiguration consumer = BucketAndConsumerSettings.DEFAULTS.consumer("startup");
			List<String> rawJnats = List.of("--spring.main.sources=" + RawJnatsStartup.class.getName(),
					"--" + RawJnatsStartup.CONSUMER_PROPERTIES + "ack-wait-millis=" + consumer.getAckWait().toMillis(),
					"--" + RawJnatsStartup.CONSUMER_PROPERTIES + "max-ack-pending=" + consumer.getMaxAckPending(),
					"--" + RawJnatsStartup.CONSUMER_PROPERTIES + "inactive-threshold-millis="
							+ consumer.getInactiveThreshold().toMillis());
			// The starter goes first in the warm-up round: it creates the bucket whose status raw jnats reads.
			List<Side> sides = List.of(new Side("starter", withStarter, List.of()),
					new Side("raw-jnats", withJnats, rawJnats), new Side("none", withoutNats, List.of()));
			int node = 0;
			for (Side side : sides) {
				side.start(run, node++, true);
			}
			for (int round = 0; round < run.options().startups(); round++) {
				for (int turn = 0; turn < sides.size(); turn++) {
					sides.get((round + turn) % sides.size()).start(run, node++, false);
				}
			}
			Side starter = sides.get(0);
			Side raw = sides.get(1);
			Side none = sides.get(2);
			double overRaw = starter.median(Figure.START) - raw.median(Figure.START);
			double overNone = starter.median(Figure.START) - none.median(Figure.START);
			return new Result(5, "context start, new JVM (ms)",
					"with starter " + Stats.whole(starter.median(Figure.START)) + " (JVM CPU "
							+ Stats.whole(starter.median(Figure.CPU)) + "; connect "
							+ Stats.whole(starter.median(Figure.CONNECTION)) + ", bucket check "
							+ Stats.whole(starter.median(Figure.BUCKET)) + ", consumer "
							+ Stats.whole(starter.median(Figure.CONSUMER)) + ")",
					"jnats " + Stats.whole(raw.median(Figure.START)) + " (JVM CPU "
							+ Stats.whole(raw.median(Figure.CPU)) + "; connect "
							+ Stats.whole(raw.median(Figure.CONNECTION)) + ", bucket status "
							+ Stats.whole(raw.median(Figure.BUCKET)) + ", consumer "
							+ Stats.whole(raw.median(Figure.CONSUMER)) + "), without NATS "
							+ Stats.whole(none.median(Figure.START)) + " (JVM CPU "
							+ Stats.whole(none.median(Figure.CPU)) + ")",
					Stats.ratio(starter.median(Figure.START) / raw.median(Figure.START)) + " vs raw jnats, "
							+ Stats.ratio(starter.median(Figure.START) / none.median(Figure.START)) + " vs without NATS",
					"starter's cost over raw jnats <= 300 ms (adds " + Stats.whole(overRaw) + " ms over raw jnats, "
							+ Stats.whole(overNone) + " ms to an app without NATS)",
					overRaw <= 300,
					List.of(starter.median(Figure.START), raw.median(Figure.START), none.median(Figure.START),
							starter.median(Figure.START) / raw.median(Figure.START),
							starter.median(Figure.CONNECTION), starter.median(Figure.BUCKET),
							raw.median(Figure.CONNECTION), raw.median(Figure.BUCKET), raw.median(Figure.CONSUMER),
							starter.median(Figure.CPU), raw.median(Figure.CPU), none.median(Figure.CPU)));
		}
		finally {
			try (Stream<Path> files = Files.walk(probe)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
		}
	}

	private static boolean matches(Pattern pattern, Path entry) {
		return pattern.matcher(entry.toString().replace(File.separatorChar, '/')).matches();
	}

	/**
	 * Copies the probe's classes to a folder of their own, so that the child JVM's class path holds them without
	 * the jar or folder they came from (whose manifest may name every dependency).
	 */
	private static void copyProbeClasses(Path folder) throws IOException {
		for (Class<?> type : List.of(StartupProbe.class, StartupProbe.ProbeApplication.class, RawJnatsStartup.class)) {
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

	/**
	 * What a start reports, in ms.
	 */
	private enum Figure {

		/** The context's start time. */
		START,

		/** The creation of the connection bean. */
		CONNECTION,

		/** The bucket's check or status read, the connection's creation not included. */
		BUCKET,

		/** The creation of the node's consumer: the starter's listener container, or the raw consumer. */
		CONSUMER,

		/** The CPU time the JVM had used when the context had started. */
		CPU

	}

	/**
	 * One variant of the probe's application: its name in the probe's report, its class path, its extra program
	 * arguments, and the figures of its measured starts.
	 */
	private static final class Side {

		private final String variant;

		private final List<Path> classPath;

		private final List<String> arguments;

		private final Map<Figure, List<Double>> figures = new EnumMap<>(Figure.class);

		Side(String variant, List<Path> classPath, List<String> arguments) {
			this.variant = variant;
			this.classPath = classPath;
			this.arguments = arguments;
		}

		double median(Figure figure) {
			return Stats.median(this.figures.getOrDefault(figure, List.of()));
		}

		/**
		 * Starts the probe in a new JVM and, unless warming up, records what it reported.
		 */
		void start(BenchmarkRun run, int node, boolean warmUp) throws IOException, InterruptedException {
			String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
			List<String> command = new ArrayList<>(List.of(java, "-cp",
					this.classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
					StartupProbe.class.getName(), "--coordinator.nats.servers=" + run.serverUrl(),
					"--coordinator.namespace=s5", "--coordinator.node-id=startup-" + node,
					"--logging.level.root=WARN"));
			command.addAll(this.arguments);
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
			String expected = StartupProbe.REPORT + "(\\d+) variant=" + this.variant
					+ " connection-nanos=(\\d+) bucket-nanos=(\\d+) consumer-nanos=(\\d+) cpu-nanos=(\\d+)";
			Matcher report = Pattern.compile(expected).matcher(output);
			if (process.exitValue() != 0 || !report.find()) {
				throw new IllegalStateException("The start of variant '" + this.variant + "' did not report '"
						+ expected + "':\n" + output);
			}
			if (!warmUp) {
				Figure[] figures = { Figure.START, Figure.CONNECTION, Figure.BUCKET, Figure.CONSUMER, Figure.CPU };
				for (int i = 0; i < figures.length; i++) {
					this.figures.computeIfAbsent(figures[i], (figure) -> new ArrayList<>())
						.add(Long.parseLong(report.group(i + 1)) / 1e6);
				}
			}
		}

	}

}
