package com.example.coordinator.sample;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sample nodes on a real nats-server, through their HTTP endpoints: keys written through one node are read
 * through another and reach the event stream, both agree on members and leader, and the survivor takes over
 * when the leader leaves.
 */
class SampleApplicationTests {

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final AtomicInteger namespaces = new AtomicInteger();

	private final String namespace = "sample-" + namespaces.incrementAndGet();

	private final List<SampleNode> nodes = new CopyOnWriteArrayList<>();

	private final HttpClient http = HttpClient.newHttpClient();

	@AfterEach
	void stop() {
		// Closing a node also ends the event streams it serves.
		this.nodes.forEach(SampleNode::close);
	}

	private SampleNode node(String nodeId) {
		SampleNode node = SampleNode.inThisJvm(server.url(), this.namespace, nodeId);
		this.nodes.add(node);
		return node;
	}

	@Test
	void keysWrittenThroughOneNodeAreReadAndStreamedByAnother() throws Exception {
		SampleNode first = node("sample-1");
		SampleNode second = node("sample-2");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> first.get("/members").contains("sample-2") && second.get("/members").contains("sample-1"));
		List<String> streamed = stream(second);
		await().atMost(Duration.ofSeconds(10)).until(() -> streamed.stream().anyMatch((line) -> line.startsWith("data:")));

		HttpResponse<String> written = first.send("PUT", "/kv/config/greeting", "hello from sample-1");
		assertThat(written.statusCode()).isEqualTo(200);
		assertThat(written.body()).contains("\"key\":\"/config/greeting\"");

		assertThat(second.get("/kv/config/greeting")).contains("\"value\":\"hello from sample-1\"");
		assertThat(second.get("/kv/config/")).contains("\"key\":\"/config/greeting\"");
		await().atMost(Duration.ofSeconds(10)).until(() -> streamed.stream()
			.anyMatch((line) -> line.contains("/config/greeting = 'hello from sample-1' by sample-1")));

		assertThat(second.send("DELETE", "/kv/config/greeting", null).body()).contains("\"deleted\":true");
		assertThat(first.send("GET", "/kv/config/greeting", null).statusCode()).isEqualTo(404);
		assertThat(first.send("PUT", "/kv/config//greeting", "x").statusCode()).isEqualTo(400);
	}

	@Test
	void nodesAgreeOnTheLeaderAndTheSurvivorLeadsWhenItLeaves() {
		SampleNode first = node("sample-1");
		await().atMost(Duration.ofSeconds(10)).until(() -> first.get("/leader").contains("\"leader\":\"sample-1\""));
		SampleNode second = node("sample-2");
		await().atMost(Duration.ofSeconds(10)).until(() -> second.get("/members").contains("sample-1"));

		assertThat(first.get("/leader")).contains("\"leader\":\"sample-1\"", "\"thisNode\":true");
		assertThat(second.get("/leader")).contains("\"leader\":\"sample-1\"", "\"thisNode\":false");
		assertThat(second.get("/locks")).contains("\"name\":\"leader/sample\",\"holder\":\"sample-1\"");

		first.close();
		this.nodes.remove(first);

		await().atMost(Duration.ofSeconds(10)).until(() -> second.get("/leader").contains("\"leader\":\"sample-2\""));
		assertThat(second.get("/members")).doesNotContain("sample-1");
	}

	@Test
	void actuatorShowsTheCoordinatorsHealthAndMetrics() {
		SampleNode node = node("sample-1");

		await().atMost(Duration.ofSeconds(10)).until(() -> node.get("/actuator/health").contains("\"status\":\"UP\""));
		assertThat(node.get("/actuator/health")).contains("\"coordinator\"");
		assertThat(node.get("/actuator/prometheus")).contains("coordinator_");
		assertThat(node.get("/")).contains("<script src=\"sample.js\">");
	}

	private List<String> stream(SampleNode node) {
		List<String> lines = new CopyOnWriteArrayList<>();
		HttpRequest request = HttpRequest.newBuilder(URI.create(node.url() + "/events")).build();
		this.http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).thenAccept((response) -> {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
				reader.lines().forEach(lines::add);
			}
			catch (Exception ex) {
				lines.add("stream ended: " + ex);
			}
		});
		return lines;
	}

}
