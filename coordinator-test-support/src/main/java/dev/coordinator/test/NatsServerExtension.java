package dev.coordinator.test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit Jupiter extension that runs a {@link NatsServerProcess} (JetStream, free loopback port, fresh store
 * folder) around the tests of a class. The binary is {@code NATS_SERVER_BIN} when set, else {@code nats-server}
 * on the {@code PATH}, else the Debian package's {@code /usr/sbin/nats-server}; when there is none, the tests
 * fail saying how to install it.
 *
 * <p>Registered on a static field, one server serves all tests of the class (and of its {@code @Nested}
 * classes); it starts before the class's {@code @BeforeAll} methods and stops once the class is done, after its
 * {@code @AfterAll} methods and after every other extension's (so after Spring closed a test's application
 * context): <pre class="code">
 * &#064;RegisterExtension
 * static final NatsServerExtension server = new NatsServerExtension();
 * </pre> Registered on an instance field, each test gets a server of its own, started before its
 * {@code @BeforeEach} methods and stopped once the test is done, after its {@code @AfterEach} methods.
 *
 * <p>A Spring Boot test points the coordinator at the server with
 * {@code registry.add("coordinator.nats.servers", server::url)} in a {@code @DynamicPropertySource} method.
 *
 * <p>The server is stopped through its own process handle and its store folder deleted. Connections opened
 * with {@link #connect()} are closed before it stops.
 */
public final class NatsServerExtension implements BeforeAllCallback, BeforeEachCallback {

	private final List<String> extraArguments;

	private final List<Connection> connections = new ArrayList<>();

	private NatsServerProcess process;

	/**
	 * Creates an extension for a server with the default arguments.
	 */
	public NatsServerExtension() {
		this.extraArguments = List.of();
	}

	/**
	 * Creates an extension for a server with extra command line arguments.
	 * @param extraArguments arguments added to {@code -js -sd DIR -a 127.0.0.1 -p PORT}, e.g.
	 * {@code "--server_name", "n1"}
	 */
	public NatsServerExtension(String... extraArguments) {
		this.extraArguments = List.of(extraArguments);
	}

	/**
	 * Starts the server for the test class when registered on a static field.
	 * @param context the class's context
	 */
	@Override
	public void beforeAll(ExtensionContext context) {
		start(context);
	}

	/**
	 * Starts the server for the test when none runs yet, that is when registered on an instance field.
	 * @param context the test's context
	 */
	@Override
	public void beforeEach(ExtensionContext context) {
		start(context);
	}

	/**
	 * Returns the URL clients connect to.
	 * @return e.g. {@code nats://127.0.0.1:40123}
	 * @throws IllegalStateException when the server is not started
	 */
	public String url() {
		return process().url();
	}

	/**
	 * Returns the server process, e.g. to kill or restart it during a test. The extension stops it in the
	 * end, whatever its state.
	 * @return the process
	 * @throws IllegalStateException when the server is not started
	 */
	public synchronized NatsServerProcess process() {
		if (this.process == null) {
			throw new IllegalStateException("nats-server is not started: register NatsServerExtension with "
					+ "@RegisterExtension and use it from a test or a lifecycle method");
		}
		return this.process;
	}

	/**
	 * Opens a new connection to the server with default options. The extension closes it before it stops the
	 * server.
	 * @return the connection
	 * @throws IOException when the connection fails
	 * @throws InterruptedException when interrupted while connecting
	 * @throws IllegalStateException when the server is not started
	 */
	public synchronized Connection connect() throws IOException, InterruptedException {
		Connection connection = Nats.connect(url());
		this.connections.add(connection);
		return connection;
	}

	/**
	 * Starts the server, and has JUnit stop it when the context that started it (the class's, or the test's)
	 * is closed: after every after-callback of every extension.
	 */
	private synchronized void start(ExtensionContext context) {
		if (this.process == null) {
			this.process = NatsServerProcess.start(this.extraArguments);
			context.getStore(ExtensionContext.Namespace.create(NatsServerExtension.class, this))
				.put("server", (AutoCloseable) this::stop);
		}
	}

	private synchronized void stop() throws InterruptedException {
		if (this.process == null) {
			return;
		}
		InterruptedException interrupted = null;
		for (Connection connection : this.connections) {
			try {
				connection.close();
			}
			catch (InterruptedException ex) {
				interrupted = ex;
			}
		}
		this.connections.clear();
		this.process.close();
		this.process = null;
		if (interrupted != null) {
			throw interrupted;
		}
	}

}
