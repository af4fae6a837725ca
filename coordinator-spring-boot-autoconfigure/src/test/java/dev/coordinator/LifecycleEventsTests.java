package dev.coordinator;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.coordinator.CoordinatorConnectionEvent.State;
import dev.coordinator.test.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The coordinator's lifecycle events (connection state, consumer re-created), each with one log line.
 */
@ExtendWith(OutputCaptureExtension.class)
class LifecycleEventsTests {

	@RegisterExtension
	final NatsServerExtension server = new NatsServerExtension();

	@Test
	void connectionStateChangesArePublishedAndLoggedOnceEach(CapturedOutput output) {
		try (TestNode node = TestNode.startWith(new Class<?>[] { Recording.class }, this.server.url(), "lifecycle",
				"node-1", "coordinator.nats.reconnect-wait=100ms")) {
			Recorder recorder = node.context().getBean(Recorder.class);
			assertThat(recorder.states()).containsExactly(State.CONNECTED);
			assertThat(recorder.connection.get(0).getServer()).isEqualTo("127.0.0.1:" + this.server.process().port());

			this.server.process().kill();
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.states().contains(State.DISCONNECTED));
			this.server.process().restart();
			await().atMost(Duration.ofSeconds(20)).until(() -> recorder.states().contains(State.RECONNECTED));

			assertThat(recorder.states()).containsExactly(State.CONNECTED, State.DISCONNECTED, State.RECONNECTED);
			assertThat(count(output.getOut(), "Disconnected from NATS")).isEqualTo(1);
			assertThat(count(output.getOut(), "Reconnected to NATS")).isEqualTo(1);
			node.coordinator().put("/after/reconnect", new byte[] { 1 });
			await().atMost(Duration.ofSeconds(10))
				.until(() -> TestNode.keys(node.listeners().all).contains("/after/reconnect"));
		}
	}

	@Test
	void aConsumerDeletedByAnOperatorIsRecreatedWithAnEvent() throws Exception {
		try (TestNode node = TestNode.startWith(new Class<?>[] { Recording.class }, this.server.url(), "recreated",
				"node-1"); Connection raw = Nats.connect(this.server.url())) {
			Recorder recorder = node.context().getBean(Recorder.class);
			node.coordinator().put("/before/a", new byte[] { 1 });
			await().atMost(Duration.ofSeconds(10)).until(() -> TestNode.keys(node.listeners().all).contains("/before/a"));
			long processed = node.container().lastProcessedRevision();

			raw.jetStreamManagement().deleteConsumer("KV_recreated", "recreated_node-1");
			node.coordinator().put("/after/b", new byte[] { 1 });

			await().atMost(Duration.ofSeconds(20)).until(() -> !recorder.recreated.isEmpty());
			CoordinatorConsumerRecreatedEvent event = recorder.recreated.get(0);
			assertThat(event.getConsumer()).isEqualTo("recreated_node-1");
			// Reads on after what it had processed (a node record written meanwhile may have moved that on).
			assertThat(event.getFromRevision()).isGreaterThan(processed);
			await().atMost(Duration.ofSeconds(10)).until(() -> TestNode.keys(node.listeners().all).contains("/after/b"));
		}
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

	@Configuration(proxyBeanMethods = false)
	static class Recording {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	static class Recorder {

		final List<CoordinatorConnectionEvent> connection = new CopyOnWriteArrayList<>();

		final List<CoordinatorConsumerRecreatedEvent> recreated = new CopyOnWriteArrayList<>();

		@EventListener
		void onConnection(CoordinatorConnectionEvent event) {
			this.connection.add(event);
		}

		@EventListener
		void onRecreated(CoordinatorConsumerRecreatedEvent event) {
			this.recreated.add(event);
		}

		List<State> states() {
			return this.connection.stream().map(CoordinatorConnectionEvent::getState).toList();
		}

	}

}
