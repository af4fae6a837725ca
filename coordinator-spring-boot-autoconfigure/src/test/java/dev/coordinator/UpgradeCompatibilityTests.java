package dev.coordinator;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.coordinator.UpgradeNode.UpgradeValue;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A node built from an earlier commit of {@code main} and a node of the current code share one bucket during a
 * rolling upgrade: each receives and reads what the other writes, both list the same keys, and each sees the other
 * as a member (docs/wire-format.md, "Compatibility").
 *
 * <p>The earlier node runs in a JVM of its own on the {@code coordinator-core} and auto-configuration jars of the
 * commit named by {@code -Dupgrade.baseline} (default {@value #DEFAULT_BASELINE}, the last commit of {@code main}
 * before the JSON codec; any commit from {@code d7230b0} on, which has membership), exported with {@code git archive} into a temporary folder and built there with
 * {@code mvn package} (about 15 s; nothing is installed). The test is skipped outside a git clone that holds the
 * commit, or without {@code mvn} on the PATH.
 */
class UpgradeCompatibilityTests {

	static final String DEFAULT_BASELINE = "a97057d";

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	@TempDir
	static Path work;

	private static String baselineClassPath;

	@BeforeAll
	static void buildBaseline() throws Exception {
		String baseline = System.getProperty("upgrade.baseline", DEFAULT_BASELINE);
		Path root = Path.of("..").toAbsolutePath().normalize();
		assumeTrue(run(root, work.resolve("git.log"), "git", "cat-file", "-e", baseline + "^{commit}") == 0,
				"commit " + baseline + " is not in this clone");
		Path source = Files.createDirectory(work.resolve("baseline"));
		Path archive = work.resolve("baseline.tar");
		assertThat(run(root, work.resolve("git.log"), "git", "archive", "-o", archive.toString(), baseline)).isZero();
		assertThat(run(source, work.resolve("tar.log"), "tar", "-xf", archive.toString())).isZero();
		Path buildLog = work.resolve("build.log");
		int built;
		try {
			built = run(source, buildLog, "mvn", "-B", "-ntp", "-q", "-pl", "coordinator-spring-boot-autoconfigure",
					"-am", "package", "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
					"-Dmdep.outputFile=runtime.classpath", "-Dmdep.includeScope=runtime", "-Dmaven.test.skip=true");
		}
		catch (IOException ex) {
			assumeTrue(false, "mvn is not on the PATH: " + ex.getMessage());
			return;
		}
		assertThat(built).as(Files.readString(buildLog)).isZero();
		Path autoconfigure = source.resolve("coordinator-spring-boot-autoconfigure");
		List<String> entries = new ArrayList<>();
		entries.add(autoconfigure.resolve("target/classes").toString());
		entries.add(Files.readString(autoconfigure.resolve("runtime.classpath")).trim());
		// This class's own directory, for UpgradeNode: it uses only API that the earlier commit has too.
		entries.add(Path.of(UpgradeNode.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
		baselineClassPath = String.join(File.pathSeparator, entries);
	}

	@Test
	void nodesOfAnEarlierCommitAndOfThisOneShareABucket() throws Exception {
		String namespace = "upgrade";
		try (TestNode current = TestNode.start(server.url(), namespace, "current",
				"coordinator.membership.enabled=true");
				BaselineNode baseline = BaselineNode.start(baselineClassPath, work.resolve("baseline-node.log"),
						"coordinator.nats.servers=" + server.url(), "coordinator.namespace=" + namespace,
						"coordinator.node-id=baseline", "coordinator.membership.enabled=true")) {
			current.coordinator().putJson("/values/from-current", UpgradeNode.value("current"));
			baseline.send("put /values/from-baseline");

			baseline.awaitLine("EVENT /values/from-current PUT current " + UpgradeNode.value("current"));
			baseline.awaitLine("EVENT /values/from-baseline PUT baseline " + UpgradeNode.value("baseline"));
			await().until(() -> eventOf(current, "/values/from-baseline") != null);
			CoordinatorEvent fromBaseline = eventOf(current, "/values/from-baseline");
			assertThat(fromBaseline.getOrigin()).isEqualTo("baseline");
			assertThat(fromBaseline.valueAs(UpgradeValue.class)).isEqualTo(UpgradeNode.value("baseline"));
			if (DEFAULT_BASELINE.equals(System.getProperty("upgrade.baseline", DEFAULT_BASELINE))) {
				// Written by the earlier codec indeed: durations as seconds, the current one writes "PT1M30S".
				assertThat(new String(fromBaseline.getValue(), StandardCharsets.UTF_8)).contains("\"ttl\":90.0");
				assertThat(new String(current.coordinator().get("/values/from-current").orElseThrow().value(),
						StandardCharsets.UTF_8)).contains("\"ttl\":\"PT1M30S\"");
			}
			assertThat(current.coordinator().get("/values/from-current").orElseThrow().valueAs(UpgradeValue.class))
				.isEqualTo(UpgradeNode.value("current"));

			await().until(() -> current.context().getBean(ClusterMembership.class).members().size() == 2);
			assertThat(baseline.ask("members", "MEMBERS ")).isEqualTo("baseline,current");
			assertThat(baseline.ask("keys /", "KEYS ")).isEqualTo(String.join(",", current.coordinator().keys("/")));
			assertThat(baseline.ask("list /", "LIST ")).isEqualTo(current.coordinator()
				.list("/")
				.stream()
				.map((entry) -> entry.key() + "@" + entry.revision())
				.collect(Collectors.joining(",")));

			baseline.send("delete /values/from-current");
			await().until(() -> current.listeners().all.stream()
				.anyMatch((event) -> event.getKey().equals("/values/from-current")
						&& event.getAction() == CoordinatorAction.DELETE && "baseline".equals(event.getOrigin())));
			current.coordinator().delete("/values/from-baseline");
			baseline.awaitLine("EVENT /values/from-baseline DELETE current -");
			assertThat(current.coordinator().keys("/values/")).isEmpty();
			assertThat(baseline.ask("keys /values/", "KEYS ")).isEmpty();
		}
	}

	private static CoordinatorEvent eventOf(TestNode node, String key) {
		return node.listeners().all.stream()
			.filter((event) -> event.getKey().equals(key) && event.getAction() == CoordinatorAction.PUT)
			.findFirst()
			.orElse(null);
	}

	private static int run(Path directory, Path log, String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).directory(directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		if (!process.waitFor(5, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IllegalStateException(String.join(" ", command) + " did not end within 5 minutes");
		}
		return process.exitValue();
	}

	/**
	 * The earlier commit's node, in a JVM of its own, driven through its standard input.
	 */
	static final class BaselineNode implements AutoCloseable {

		private final Process process;

		private final Writer commands;

		private final List<String> lines = new CopyOnWriteArrayList<>();

		private final Path log;

		private BaselineNode(Process process, Path log) {
			this.process = process;
			this.log = log;
			this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
			Thread reader = new Thread(this::read, "baseline-node-output");
			reader.setDaemon(true);
			reader.start();
		}

		static BaselineNode start(String classPath, Path log, String... properties) throws IOException {
			List<String> command = new ArrayList<>(List.of(
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
					UpgradeNode.class.getName()));
			for (String property : properties) {
				command.add("--" + property);
			}
			BaselineNode node = new BaselineNode(new ProcessBuilder(command).redirectErrorStream(true).start(), log);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> !node.process.isAlive() || node.lines.stream().anyMatch((line) -> line.startsWith(UpgradeNode.READY)));
			if (!node.process.isAlive()) {
				throw new IllegalStateException("The baseline node ended before it ran:\n" + String.join("\n", node.lines));
			}
			return node;
		}

		void send(String command) throws IOException {
			this.commands.write(command + "\n");
			this.commands.flush();
		}

		void awaitLine(String line) {
			await().until(() -> this.lines.contains(line));
		}

		String ask(String command, String answerPrefix) throws IOException {
			int seen = this.lines.size();
			send(command);
			await().until(() -> this.lines.subList(seen, this.lines.size()).stream().anyMatch((line) -> line.startsWith(answerPrefix)));
			return this.lines.subList(seen, this.lines.size())
				.stream()
				.filter((line) -> line.startsWith(answerPrefix))
				.findFirst()
				.orElseThrow()
				.substring(answerPrefix.length());
		}

		private void read() {
			try (BufferedReader output = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = output.readLine()) != null) {
					this.lines.add(line);
					Files.writeString(this.log, line + "\n", StandardOpenOption.CREATE,
							StandardOpenOption.APPEND);
				}
			}
			catch (IOException ex) {
				this.lines.add("OUTPUT LOST " + ex.getMessage());
			}
		}

		@Override
		public void close() throws InterruptedException {
			try {
				this.commands.close();
			}
			catch (IOException ex) {
				// the process ended already
			}
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor();
			}
		}

	}

}
