package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.json.Jackson3JsonCodec;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.membership.Member;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Values go through the coordinator's JSON codec bean: nodes on Jackson 2 and on Jackson 3 share values, the
 * application's own mappers do not change what is stored, and a codec of the application's replaces the library's.
 */
class JsonCodecTests {

	private static final AtomicInteger namespaces = new AtomicInteger();

	private static final Order ORDER = new Order("order-1", 3, Instant.parse("2025-01-31T10:15:30Z"),
			Optional.of("rush"), List.of("a", "b"), Map.of("total", 42));

	private static final String ORDER_JSON = "{\"orderId\":\"order-1\",\"lineCount\":3,"
			+ "\"placedAt\":\"2025-01-31T10:15:30Z\",\"note\":\"rush\",\"tags\":[\"a\",\"b\"],\"amounts\":{\"total\":42}}";

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	@Test
	void nodesOnJackson2AndJackson3ReadWhatTheOtherWrote() {
		String namespace = namespace();
		try (TestNode jackson2 = TestNode.start(server.url(), namespace, "node-2");
				TestNode jackson3 = TestNode.start(server.url(), namespace, "node-3", "coordinator.json=jackson3")) {
			assertThat(jackson2.coordinator().jsonCodec()).isInstanceOf(Jackson2JsonCodec.class);
			assertThat(jackson3.coordinator().jsonCodec()).isInstanceOf(Jackson3JsonCodec.class);

			jackson2.coordinator().putJson("/nodes/from-2", ORDER);
			jackson3.coordinator().putJson("/nodes/from-3", ORDER);

			for (TestNode node : List.of(jackson2, jackson3)) {
				await().until(() -> node.listeners().nodes.size() == 2);
				assertThat(node.listeners().nodes).allSatisfy((event) -> {
					assertThat(event.valueAs(Order.class)).isEqualTo(ORDER);
					assertThat(new String(event.getValue(), StandardCharsets.UTF_8)).isEqualTo(ORDER_JSON);
				});
				assertThat(node.coordinator().list("/nodes/")).hasSize(2)
					.allSatisfy((entry) -> assertThat(entry.valueAs(Order.class)).isEqualTo(ORDER));
			}
		}
	}

	@Test
	void theApplicationsObjectMappersDoNotChangeTheStoredJson() throws Exception {
		try (TestNode node = TestNode.startWith(new Class<?>[] { SnakeCaseMappers.class }, server.url(), namespace(),
				"node-1", "spring.jackson.property-naming-strategy=SNAKE_CASE")) {
			assertThat(new String(node.context().getBean(ObjectMapper.class).writeValueAsBytes(ORDER),
					StandardCharsets.UTF_8)).contains("\"order_id\"");
			assertThat(node.context().getBean(JsonMapper.class).writeValueAsString(ORDER)).contains("\"order_id\"");

			node.coordinator().putJson("/orders/1", ORDER);

			CoordinatorEntry stored = node.coordinator().get("/orders/1").orElseThrow();
			assertThat(new String(stored.value(), StandardCharsets.UTF_8)).isEqualTo(ORDER_JSON);
			assertThat(stored.valueAs(Order.class)).isEqualTo(ORDER);
		}
	}

	@Test
	void theApplicationsCodecReplacesTheLibrarysForValuesAndMemberRecords() {
		try (TestNode node = TestNode.startWith(new Class<?>[] { CountingCodecConfiguration.class }, server.url(),
				namespace(), "node-1", "coordinator.membership.enabled=true")) {
			CountingCodec codec = node.context().getBean(CountingCodec.class);
			assertThat(node.coordinator().jsonCodec()).isSameAs(codec);
			await().until(() -> node.context().getBean(ClusterMembership.class).members().containsKey("node-1"));
			assertThat(codec.written).hasAtLeastOneElementOfType(Member.class);
			assertThat(codec.read).contains(Member.class);

			node.coordinator().putJson("/nodes/order", ORDER);
			await().until(() -> node.listeners().nodes.stream().anyMatch((event) -> event.getKey().equals("/nodes/order")));
			CoordinatorEvent event = node.listeners().nodes.stream()
				.filter((candidate) -> candidate.getKey().equals("/nodes/order"))
				.findFirst()
				.orElseThrow();
			int reads = codec.read.size();
			assertThat(event.valueAs(Order.class)).isEqualTo(ORDER);
			assertThat(node.coordinator().get("/nodes/order").orElseThrow().valueAs(Order.class)).isEqualTo(ORDER);
			assertThat(codec.written).contains(ORDER);
			// Membership may read member records meanwhile.
			assertThat(codec.read.subList(reads, codec.read.size())).filteredOn(Order.class::equals).hasSize(2);
		}
	}

	private static String namespace() {
		return "json-" + namespaces.incrementAndGet();
	}

	record Order(String orderId, int lineCount, Instant placedAt, Optional<String> note, List<String> tags,
			Map<String, Integer> amounts) {
	}

	@Configuration(proxyBeanMethods = false)
	static class SnakeCaseMappers {

		@Bean
		ObjectMapper jackson2ObjectMapper() {
			return com.fasterxml.jackson.databind.json.JsonMapper.builder()
				.addModule(new JavaTimeModule())
				.addModule(new Jdk8Module())
				.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
				.build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CountingCodecConfiguration {

		@Bean
		CountingCodec countingCodec() {
			return new CountingCodec();
		}

	}

	/**
	 * The library's Jackson 2 codec, recording what goes through it.
	 */
	static class CountingCodec implements CoordinatorJsonCodec {

		private final CoordinatorJsonCodec delegate = new Jackson2JsonCodec();

		final List<Object> written = new CopyOnWriteArrayList<>();

		final List<Class<?>> read = new CopyOnWriteArrayList<>();

		@Override
		public byte[] write(Object value) {
			this.written.add(value);
			return this.delegate.write(value);
		}

		@Override
		public <T> T read(byte[] json, Class<T> type) {
			this.read.add(type);
			return this.delegate.read(json, type);
		}

	}

}
