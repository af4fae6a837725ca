package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import brave.Span.Kind;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import dev.coordinator.nats.NatsCoordinatorSettings;
import dev.coordinator.test.NatsServerExtension;
import io.micrometer.tracing.BaggageInScope;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Trace context from a write on one node to the listeners of another, with Spring Boot's Brave tracing, on one real
 * nats-server.
 */
class TracingTests {

	private static final AtomicInteger namespaces = new AtomicInteger();

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private static final String[] TRACING = { "management.tracing.sampling.probability=1.0",
			"management.tracing.baggage.remote-fields=tenant" };

	private String namespace;

	private TestNode nodeA;

	private TestNode nodeB;

	@BeforeEach
	void startNodes() {
		this.namespace = "tracing-" + namespaces.incrementAndGet();
		this.nodeA = start("node-a");
		this.nodeB = start("node-b");
		// Initial-state listeners receive what was stored before they synced as replayed state.
		await().until(() -> this.nodeA.container().isSynced() && this.nodeB.container().isSynced());
	}

	@AfterEach
	void stopNodes() {
		this.nodeA.close();
		this.nodeB.close();
	}

	private TestNode start(String nodeId) {
		return TestNode.startWith(new Class<?>[] { TracedNode.class }, server.url(), this.namespace, nodeId,
				TRACING);
	}

	@Test
	void theListenerSpanOnAnotherNodeHasTheWritersSpanAsParent() throws Exception {
		Span request = writeInRequest(this.nodeA, "/schema/traced");

		MutableSpan write = awaitSpan(this.nodeA, (span) -> "coordinator put".equals(span.name())
				&& "/schema/traced".equals(span.tag("key")));
		assertThat(write.traceId()).isEqualTo(request.context().traceId());
		assertThat(write.parentId()).isEqualTo(request.context().spanId());
		assertThat(write.kind()).isEqualTo(Kind.PRODUCER);
		assertThat(write.tag("operation")).isEqualTo("put");
		assertThat(write.tag("outcome")).isEqualTo("success");

		MutableSpan received = awaitSpan(this.nodeB, (span) -> "/schema/traced".equals(span.tag("key"))
				&& listener(span).contains("onSchema"));
		assertThat(received.traceId()).isEqualTo(write.traceId());
		assertThat(received.parentId()).isEqualTo(write.id());
		assertThat(received.kind()).isEqualTo(Kind.CONSUMER);
		assertThat(received.tag("replay")).isEqualTo("false");

		// The message carries the trace context, without the baggage in scope.
		NatsCoordinatorSettings settings = this.nodeA.natsCoordinator().getSettings();
		MessageInfo stored = this.nodeA.natsCoordinator()
			.getConnection()
			.jetStreamManagement()
			.getLastMessage(settings.streamName(), "$KV." + settings.bucketName() + ".schema.traced");
		Headers headers = stored.getHeaders();
		assertThat(headers.getFirst("traceparent")).isEqualTo("00-" + write.traceId() + "-" + write.id() + "-01");
		assertThat(headers.keySet()).doesNotContain("baggage", "tenant");
	}

	@Test
	void replayedStateStartsATraceOfItsOwn() {
		Span request = writeInRequest(this.nodeA, "/state/replayed");
		MutableSpan write = awaitSpan(this.nodeA, (span) -> "coordinator put".equals(span.name())
				&& "/state/replayed".equals(span.tag("key")));
		// Node B received the change as it happened: a child of the write.
		MutableSpan live = awaitSpan(this.nodeB, (span) -> "/state/replayed".equals(span.tag("key"))
				&& listener(span).contains("onState"));
		assertThat(live.parentId()).isEqualTo(write.id());
		assertThat(live.tag("replay")).isEqualTo("false");

		try (TestNode nodeC = start("node-c")) {
			MutableSpan replayed = awaitSpan(nodeC, (span) -> "/state/replayed".equals(span.tag("key"))
					&& listener(span).contains("onState"));
			assertThat(replayed.tag("replay")).isEqualTo("true");
			assertThat(replayed.parentId()).isNull();
			assertThat(replayed.traceId()).isNotEqualTo(request.context().traceId());
		}
	}

	private static Span writeInRequest(TestNode node, String key) {
		Tracer tracer = node.context().getBean(Tracer.class);
		Span request = tracer.nextSpan().name("request").start();
		try (Tracer.SpanInScope scope = tracer.withSpan(request);
				BaggageInScope baggage = tracer.createBaggageInScope("tenant", "acme")) {
			node.coordinator().put(key, "{}".getBytes(StandardCharsets.UTF_8));
		}
		finally {
			request.end();
		}
		return request;
	}

	private static String listener(MutableSpan span) {
		String listener = span.tag("listener");
		return (listener != null) ? listener : "";
	}

	private static MutableSpan awaitSpan(TestNode node, Predicate<MutableSpan> matching) {
		SpanCollection spans = node.context().getBean(SpanCollection.class);
		return await().until(() -> spans.finished.stream()
			.filter(matching)
			.findFirst()
			.orElse(null), Objects::nonNull);
	}

	@Configuration(proxyBeanMethods = false)
	static class TracedNode {

		@Bean
		SpanCollection spanCollection() {
			return new SpanCollection();
		}

	}

	/**
	 * Collects the spans a node finished.
	 */
	static class SpanCollection extends SpanHandler {

		final List<MutableSpan> finished = new CopyOnWriteArrayList<>();

		@Override
		public boolean end(TraceContext context, MutableSpan span, Cause cause) {
			if (cause == Cause.FINISHED) {
				this.finished.add(span);
			}
			return true;
		}

	}

}
