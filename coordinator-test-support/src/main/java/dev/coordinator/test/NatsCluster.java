package dev.coordinator.test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

import static org.awaitility.Awaitility.await;

/**
 * A JetStream cluster of real {@code nats-server} processes on loopback, each on free client and route ports
 * with a store folder of its own, ready once an R3 stream can be created on it.
 */
public final class NatsCluster implements AutoCloseable {

	private final Map<String, NatsServerProcess> servers;

	private NatsCluster(Map<String, NatsServerProcess> servers) {
		this.servers = servers;
	}

	/**
	 * Starts a cluster of three servers named {@code <name>-s1} to {@code <name>-s3} and waits until JetStream
	 * can place three replicas.
	 * @param name the cluster's name
	 * @return the running cluster
	 */
	public static NatsCluster start(String name) {
		int size = 3;
		int[] clientPorts = new int[size];
		int[] routePorts = new int[size];
		for (int i = 0; i < size; i++) {
			clientPorts[i] = NatsServerProcess.freePort();
			routePorts[i] = NatsServerProcess.freePort();
		}
		Map<String, NatsServerProcess> servers = new LinkedHashMap<>();
		for (int i = 0; i < size; i++) {
			String server = name + "-s" + (i + 1);
			List<String> routes = new ArrayList<>();
			for (int j = 0; j < size; j++) {
				if (j != i) {
					routes.add("nats://127.0.0.1:" + routePorts[j]);
				}
			}
			servers.put(server, NatsServerProcess.start(clientPorts[i], List.of("-n", server, "--cluster_name", name,
					"--cluster", "nats://127.0.0.1:" + routePorts[i], "--routes", String.join(",", routes))));
		}
		NatsCluster cluster = new NatsCluster(servers);
		cluster.awaitReady();
		return cluster;
	}

	private void awaitReady() {
		try (Connection connection = connect()) {
			JetStreamManagement management = connection.jetStreamManagement();
			StreamConfiguration probe = StreamConfiguration.builder()
				.name("cluster_ready_probe")
				.subjects("cluster.ready.probe")
				.storageType(StorageType.Memory)
				.replicas(3)
				.build();
			await("JetStream cluster ready").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(250))
				.ignoreExceptions()
				.until(() -> management.addStream(probe).getClusterInfo().getReplicas().size() == 2);
			management.deleteStream("cluster_ready_probe");
		}
		catch (Exception ex) {
			close();
			throw new IllegalStateException("JetStream cluster did not become ready: " + ex, ex);
		}
	}

	/**
	 * Returns the servers by name, in start order.
	 * @return the servers
	 */
	public Map<String, NatsServerProcess> servers() {
		return this.servers;
	}

	/**
	 * Returns the client URLs of all servers, comma separated.
	 * @return the URLs
	 */
	public String urls() {
		return String.join(",", this.servers.values().stream().map(NatsServerProcess::url).toList());
	}

	/**
	 * Opens a connection to the cluster that reconnects quickly; the caller closes it.
	 * @return the connection
	 */
	public Connection connect() throws IOException, InterruptedException {
		return Nats.connect(Options.builder()
			.servers(this.servers.values().stream().map(NatsServerProcess::url).toArray(String[]::new))
			.reconnectWait(Duration.ofMillis(100))
			.pingInterval(Duration.ofSeconds(1))
			.maxReconnects(-1)
			.build());
	}

	/**
	 * Stops every server and deletes their store folders.
	 */
	@Override
	public void close() {
		this.servers.values().forEach(NatsServerProcess::close);
	}

}
