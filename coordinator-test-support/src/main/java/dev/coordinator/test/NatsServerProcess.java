package dev.coordinator.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real {@code nats-server} process with JetStream, on a free loopback port and a store folder of its own,
 * for tests and benchmarks. It is stopped through its own process handle, never by name or port.
 *
 * <p>The binary is {@code NATS_SERVER_BIN} when set, else {@code nats-server} on the PATH, else
 * {@code /usr/sbin/nats-server}.
 */
public final class NatsServerProcess implements AutoCloseable {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

	private final Path binary;

	private final Path storeDir;

	private final Path logFile;

	private final int port;

	private final List<String> extraArguments;

	private final String config;

	private final Path configFile;

	private final boolean ownsStoreDir;

	private Process process;

	private NatsServerProcess(Path storeDir, boolean ownsStoreDir, int port, List<String> extraArguments,
			String config) {
		this.binary = findBinary();
		this.storeDir = storeDir;
		this.ownsStoreDir = ownsStoreDir;
		this.port = port;
		this.extraArguments = List.copyOf(extraArguments);
		this.config = config;
		this.logFile = storeDir.resolveSibling(storeDir.getFileName() + ".log");
		this.configFile = storeDir.resolveSibling(storeDir.getFileName() + ".conf");
	}

	/**
	 * Returns a builder for a server with a configuration file, e.g. with authorization, operator mode or TLS:
	 * <pre class="code">
	 * NatsServerProcess server = NatsServerProcess.builder()
	 *     .config("authorization { user: app, password: s3cret }")
	 *     .start();
	 * </pre>
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Starts a server on a free port with a fresh store folder.
	 * @return the running server
	 */
	public static NatsServerProcess start() {
		return start(List.of());
	}

	/**
	 * Starts a server on a free port with a fresh store folder and extra command line arguments.
	 * @param extraArguments arguments added to {@code -js -sd DIR -a 127.0.0.1 -p PORT}
	 * @return the running server
	 */
	public static NatsServerProcess start(List<String> extraArguments) {
		return start(freePort(), extraArguments);
	}

	/**
	 * Starts a server on a given port with a fresh store folder and extra command line arguments.
	 * @param port the client port
	 * @param extraArguments arguments added to {@code -js -sd DIR -a 127.0.0.1 -p PORT}
	 * @return the running server
	 */
	public static NatsServerProcess start(int port, List<String> extraArguments) {
		return builder().port(port).arguments(extraArguments).start();
	}

	/**
	 * Returns a port on the loopback interface that was free a moment ago.
	 * @return the port
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Returns the URL clients connect to.
	 * @return e.g. {@code nats://127.0.0.1:40123}
	 */
	public String url() {
		return "nats://127.0.0.1:" + this.port;
	}

	/**
	 * Returns the client port.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Returns the store folder.
	 * @return the folder
	 */
	public Path storeDir() {
		return this.storeDir;
	}

	/**
	 * Returns whether the process runs.
	 * @return whether it is alive
	 */
	public synchronized boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/**
	 * Kills the process at once (SIGKILL), as a crash would.
	 */
	public synchronized void kill() {
		end(true);
	}

	/**
	 * Stops the process gracefully (SIGTERM).
	 */
	public synchronized void stop() {
		end(false);
	}

	/**
	 * Freezes the process (SIGSTOP), as a server that stopped answering without closing its connections: clients
	 * stay connected and their requests go unanswered until {@link #resume()}.
	 */
	public synchronized void suspend() {
		signal("-STOP");
	}

	/**
	 * Lets a {@link #suspend() suspended} process run on (SIGCONT).
	 */
	public synchronized void resume() {
		signal("-CONT");
	}

	private void signal(String signal) {
		if (!isRunning()) {
			throw new IllegalStateException("nats-server on port " + this.port + " is not running");
		}
		try {
			Process kill = new ProcessBuilder("kill", signal, Long.toString(this.process.pid())).inheritIO().start();
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill " + signal + " of nats-server (pid " + this.process.pid()
						+ ") failed");
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run kill " + signal + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while signalling nats-server", ex);
		}
	}

	/**
	 * Starts the process again on the same port and store folder.
	 */
	public synchronized void restart() {
		if (isRunning()) {
			end(false);
		}
		launch();
	}

	/**
	 * Stops the process and deletes its store folder when it created it.
	 */
	@Override
	public synchronized void close() {
		end(false);
		if (this.ownsStoreDir) {
			deleteRecursively(this.storeDir);
			try {
				Files.deleteIfExists(this.logFile);
				Files.deleteIfExists(this.configFile);
			}
			catch (IOException ex) {
				// Left in the temporary folder.
			}
		}
	}

	/**
	 * Returns what the server logged.
	 * @return the log
	 */
	public String log() {
		try {
			return Files.exists(this.logFile) ? Files.readString(this.logFile, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			return "(log not readable: " + ex.getMessage() + ")";
		}
	}

	private void launch() {
		List<String> command = new ArrayList<>(List.of(this.binary.toString(), "-js", "-sd", this.storeDir.toString(),
				"-a", "127.0.0.1", "-p", String.valueOf(this.port)));
		command.addAll(this.extraArguments);
		try {
			if (this.config != null) {
				Files.writeString(this.configFile, this.config, StandardCharsets.UTF_8);
				command.addAll(List.of("-c", this.configFile.toString()));
			}
			Files.deleteIfExists(this.logFile);
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.logFile.toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + command, ex);
		}
		Process started = this.process;
		try {
			Awaitility.await("nats-server on port " + this.port + " ready")
				.atMost(READY_TIMEOUT)
				.pollInterval(Duration.ofMillis(20))
				.until(() -> !started.isAlive() || log().contains("Server is ready"));
		}
		catch (ConditionTimeoutException ex) {
			end(true);
			throw new IllegalStateException("nats-server did not become ready within " + READY_TIMEOUT + ":\n" + log(), ex);
		}
		if (!started.isAlive()) {
			throw new IllegalStateException("nats-server exited with " + started.exitValue() + ":\n" + log());
		}
	}

	private void end(boolean kill) {
		Process running = this.process;
		if (running == null || !running.isAlive()) {
			return;
		}
		if (kill) {
			running.destroyForcibly();
		}
		else {
			running.destroy();
		}
		try {
			running.onExit().get();
		}
		catch (Exception ex) {
			running.destroyForcibly();
		}
	}

	/**
	 * Builds a {@link NatsServerProcess}: JetStream, loopback, a fresh store folder, and optionally a port, extra
	 * command line arguments and the text of a configuration file.
	 */
	public static final class Builder {

		private int port;

		private List<String> arguments = List.of();

		private String config;

		private Builder() {
		}

		/**
		 * Sets the client port; a free one when not set.
		 * @param port the port
		 * @return this builder
		 */
		public Builder port(int port) {
			this.port = port;
			return this;
		}

		/**
		 * Sets extra command line arguments, added to {@code -js -sd DIR -a 127.0.0.1 -p PORT}; command line
		 * arguments take precedence over the configuration file.
		 * @param arguments the arguments
		 * @return this builder
		 */
		public Builder arguments(List<String> arguments) {
			this.arguments = List.copyOf(arguments);
			return this;
		}

		/**
		 * Sets extra command line arguments.
		 * @param arguments the arguments
		 * @return this builder
		 * @see #arguments(List)
		 */
		public Builder arguments(String... arguments) {
			return arguments(List.of(arguments));
		}

		/**
		 * Sets the text of a configuration file (nats-server's format), written next to the store folder, passed
		 * with {@code -c}, and deleted with the store folder.
		 * @param config the configuration, e.g. {@code authorization { token: s3cret }}
		 * @return this builder
		 */
		public Builder config(String config) {
			this.config = config;
			return this;
		}

		/**
		 * Starts the server and waits until it is ready.
		 * @return the running server
		 * @throws IllegalStateException when the server exits or does not become ready, with its log
		 */
		public NatsServerProcess start() {
			try {
				Path store = Files.createTempDirectory("nats-store-");
				NatsServerProcess server = new NatsServerProcess(store, true, (this.port != 0) ? this.port : freePort(),
						this.arguments, this.config);
				server.launch();
				return server;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	private static Path findBinary() {
		String configured = System.getenv("NATS_SERVER_BIN");
		if (configured != null && !configured.isBlank()) {
			Path path = Paths.get(configured);
			if (Files.isExecutable(path)) {
				return path;
			}
			throw new IllegalStateException("NATS_SERVER_BIN is '" + configured + "', which is not an executable file");
		}
		String pathVariable = Objects.requireNonNullElse(System.getenv("PATH"), "");
		for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
			if (!dir.isEmpty()) {
				Path candidate = Paths.get(dir, "nats-server");
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		Path debian = Paths.get("/usr/sbin/nats-server");
		if (Files.isExecutable(debian)) {
			return debian;
		}
		throw new IllegalStateException("nats-server was not found: install it (Debian/Ubuntu: "
				+ "'apt-get install nats-server'; elsewhere see https://docs.nats.io/running-a-nats-service/introduction/installation) "
				+ "or set NATS_SERVER_BIN to its path");
	}

	private static void deleteRecursively(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Left in the temporary folder.
		}
	}

}
