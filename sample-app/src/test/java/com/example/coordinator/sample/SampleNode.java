package com.example.coordinator.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.coordinator.test.NatsServerProcess;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.awaitility.Awaitility.await;

/**
 * A sample node for tests: a Spring context in the test JVM, or a JVM of its own that a test can kill with
 * SIGKILL; either way reached through its HTTP port. Leases, heartbeats and leader TTL are short, so that a
 * killed node is gone within seconds.
 */
final class SampleNode implements AutoCloseable {

	private static final HttpClient http = HttpClient.newHttpClient();

	private final String nodeId;

	private final int port;

	private final ConfigurableApplicationContext context;

	private final Process process;

	private SampleNode(String nodeId, int port, ConfigurableApplicationContext context, Process process) {
		this.nodeId = nodeId;
		this.port = port;
		this.context = context;
		this.process = process;
	}

	/**
	 * Starts a node in the test JVM on a free port.
	 * @param natsUrl the server
	 * @param namespace the namespace of the cluster
	 * @param nodeId the node's id
	 * @return the running node
	 */
	static SampleNode inThisJvm(String natsUrl, String namespace, String nodeId) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
			.run(arguments(natsUrl, namespace, nodeId, 0).toArray(String[]::new));
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return new SampleNode(nodeId, port, context, null);
	}

	/**
	 * Starts a node in a JVM of its own, on the test's class path, and waits until it is a member.
	 * @param natsUrl the server
	 * @param namespace the namespace of the cluster
	 * @param nodeId the node's id
	 * @param output where its output goes
	 * @return the running node
	 */
	static SampleNode inChildJvm(String natsUrl, String namespace, String nodeId, Path output) throws IOException {
		int port = NatsServerProcess.freePort();
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), SampleApplication.class.getName()));
		command.addAll(arguments(natsUrl, namespace, nodeId, port));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		SampleNode node = new SampleNode(nodeId, port, null, process);
		await("node " + nodeId + " in its own JVM to be a member").atMost(Duration.ofSeconds(90))
			.until(() -> !process.isAlive() || node.isMember());
		if (!process.isAlive()) {
			throw new IllegalStateException("Node " + nodeId + " ended before it ran:\n" + Files.readString(output));
		}
		return node;
	}

	/** Command line arguments, which take precedence over the sample's application.yml. */
	private static List<String> arguments(String natsUrl, String namespace, String nodeId, int port) {
		return List.of("--coordinator.nats.servers=" + natsUrl, "--coordinator.namespace=" + namespace,
				"--coordinator.node-id=" + nodeId, "--server.port=" + port, "--coordinator.membership.lease-ttl=2s",
				"--coordinator.membership.heartbeat=500ms", "--sample.leader-ttl=2s");
	}

	private boolean isMember() {
		try {
			return get("/members").contains("\"nodeId\":\"" + this.nodeId + "\"");
		}
		catch (UncheckedIOException ex) {
			return false;
		}
	}

	String nodeId() {
		return this.nodeId;
	}

	/**
	 * Returns the node's address.
	 * @return e.g. {@code http://127.0.0.1:40123}
	 */
	String url() {
		return "http://127.0.0.1:" + this.port;
	}

	HttpResponse<String> send(String method, String path, String body) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
					: HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofSeconds(10))
			.build();
		try {
			return http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Sends a GET request that must succeed.
	 * @param path the path, e.g. {@code /members}
	 * @return the response body
	 */
	String get(String path) {
		HttpResponse<String> response = send("GET", path, null);
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET " + path + " on " + this.nodeId + " answered " + response.statusCode()
					+ ": " + response.body());
		}
		return response.body();
	}

	/**
	 * Kills the node's JVM with SIGKILL and waits until it is gone.
	 */
	void kill() throws InterruptedException {
		if (this.process == null) {
			throw new IllegalStateException(this.nodeId + " runs in the test JVM and cannot be killed");
		}
		this.process.destroyForcibly();
		this.process.waitFor();
	}

	@Override
	public void close() {
		if (this.context != null) {
			this.context.close();
		}
		if (this.process != null) {
			this.process.destroyForcibly();
		}
	}

}
