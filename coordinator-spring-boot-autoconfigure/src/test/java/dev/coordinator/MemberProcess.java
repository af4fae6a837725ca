package dev.coordinator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.lock.Leadership;

import static org.awaitility.Awaitility.await;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A node in a JVM of its own, for tests that kill it with SIGKILL: {@code args} are its properties. With
 * {@code test.lock} it holds that lock (TTL 2 s), with {@code test.leader} it leads that role (TTL 2 s). It prints
 * {@value #READY} once it runs (and holds or leads), then waits until it is killed.
 */
public final class MemberProcess {

	static final String READY = "MEMBER READY";

	private MemberProcess() {
	}

	/**
	 * Starts a node in a JVM of its own and waits until it runs.
	 * @param output where its output goes
	 * @param properties its properties, as {@code name=value}
	 * @return the process; kill it with {@link Process#destroyForcibly()} (SIGKILL)
	 */
	static Process start(Path output, String... properties) throws IOException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), MemberProcess.class.getName()));
		for (String property : properties) {
			command.add("--" + property);
		}
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive() || Files.readString(output).contains(READY));
		if (!process.isAlive()) {
			throw new IllegalStateException("The node process ended before it ran:\n" + Files.readString(output));
		}
		return process;
	}

	public static void main(String[] args) throws InterruptedException {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(TestNode.NodeConfiguration.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(args)
			.run();
		String lock = context.getEnvironment().getProperty("test.lock");
		if (lock != null) {
			context.getBean(CoordinatorLocks.class).obtain(lock).lock(Duration.ofSeconds(2));
		}
		String role = context.getEnvironment().getProperty("test.leader");
		if (role != null) {
			Leadership leadership = context.getBean(CoordinatorLocks.class).leader(role, Duration.ofSeconds(2));
			leadership.start();
			await().forever().until(leadership::isLeader);
		}
		System.out.println(READY + " " + context.getBean(Coordinator.class).nodeId());
		System.out.flush();
		new CountDownLatch(1).await();
	}

}
