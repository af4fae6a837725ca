package dev.coordinator.json;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.coordinator.CoordinatorJsonCodec;
import dev.coordinator.membership.Member;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The Jackson 2 and Jackson 3 codecs write the same bytes and read each other's JSON, so that nodes of one
 * cluster may use either.
 */
class JsonCodecCompatibilityTests {

	private static final String EXPECTED = "{\"name\":\"caf\u00e9 \uD83D\uDE00 /path\",\"count\":42,\"big\":9007199254740993,"
			+ "\"ratio\":0.1,\"price\":12.50,\"flag\":true,\"at\":\"2025-01-31T10:15:30.123456789Z\","
			+ "\"day\":\"2025-01-31\",\"ttl\":\"PT1M30S\",\"nickname\":\"nick\",\"alias\":null,\"note\":null,"
			+ "\"level\":\"HIGH\",\"tags\":[\"a\",\"b\"],\"limits\":{\"cpu\":2,\"memory\":512},"
			+ "\"children\":[{\"id\":\"c-1\",\"weights\":[1.5,2.0]}],\"URLPath\":\"/x\"}";

	private final CoordinatorJsonCodec jackson2 = new Jackson2JsonCodec();

	private final CoordinatorJsonCodec jackson3 = new Jackson3JsonCodec();

	@Test
	void bothWriteTheSameBytes() {
		Sample sample = sample();
		byte[] written2 = this.jackson2.write(sample);
		byte[] written3 = this.jackson3.write(sample);
		assertThat(new String(written2, StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
		assertThat(written3).isEqualTo(written2);
	}

	@Test
	void eachReadsWhatTheOtherWrote() {
		Sample sample = sample();
		assertThat(this.jackson3.read(this.jackson2.write(sample), Sample.class)).isEqualTo(sample);
		assertThat(this.jackson2.read(this.jackson3.write(sample), Sample.class)).isEqualTo(sample);
	}

	@Test
	void membersAreWrittenAlikeAndReadByBoth() {
		Member member = new Member("node-1", "host-1", null, Instant.parse("2025-01-31T10:15:30Z"),
				Map.of("zone", "a"));
		byte[] written2 = this.jackson2.write(member);
		assertThat(new String(written2, StandardCharsets.UTF_8)).isEqualTo("{\"nodeId\":\"node-1\",\"host\":\"host-1\","
				+ "\"webPort\":null,\"startedAt\":\"2025-01-31T10:15:30Z\",\"metadata\":{\"zone\":\"a\"}}");
		assertThat(this.jackson3.write(member)).isEqualTo(written2);
		assertThat(this.jackson3.read(written2, Member.class)).isEqualTo(member);
		assertThat(this.jackson2.read(written2, Member.class)).isEqualTo(member);
	}

	@Test
	void unknownPropertiesAreIgnoredAndMissingOnesAreNull() {
		byte[] json = "{\"id\":\"c-1\",\"addedLater\":{\"x\":1}}".getBytes(StandardCharsets.UTF_8);
		assertThat(this.jackson2.read(json, Child.class)).isEqualTo(new Child("c-1", null));
		assertThat(this.jackson3.read(json, Child.class)).isEqualTo(new Child("c-1", null));
	}

	@Test
	void instantsWrittenAsNumbersByEarlierVersionsStillRead() {
		byte[] json = "{\"id\":\"c-1\",\"weights\":[],\"at\":1738318530.5}".getBytes(StandardCharsets.UTF_8);
		Instant expected = Instant.parse("2025-01-31T10:15:30.5Z");
		assertThat(this.jackson2.read(json, Timed.class).at()).isEqualTo(expected);
		assertThat(this.jackson3.read(json, Timed.class).at()).isEqualTo(expected);
	}

	@Test
	void failuresAreIllegalArgumentsThatSayWhy() {
		byte[] notJson = "{\"id\":".getBytes(StandardCharsets.UTF_8);
		for (CoordinatorJsonCodec codec : List.of(this.jackson2, this.jackson3)) {
			assertThatIllegalArgumentException().isThrownBy(() -> codec.read(notJson, Child.class))
				.withMessageContaining("end-of-input");
			assertThatIllegalArgumentException().isThrownBy(() -> codec.write(new Object()))
				.withMessageContaining("java.lang.Object");
		}
	}

	private static Sample sample() {
		Map<String, Integer> limits = new LinkedHashMap<>();
		limits.put("cpu", 2);
		limits.put("memory", 512);
		return new Sample("caf\u00e9 \uD83D\uDE00 /path", 42, 9007199254740993L, 0.1, new BigDecimal("12.50"), true,
				Instant.parse("2025-01-31T10:15:30.123456789Z"), LocalDate.of(2025, 1, 31), Duration.ofSeconds(90),
				Optional.of("nick"), Optional.empty(), null, Level.HIGH, List.of("a", "b"), limits,
				List.of(new Child("c-1", List.of(1.5, 2.0))), new Link("/x"));
	}

	enum Level {

		LOW, HIGH;

		@Override
		public String toString() {
			return name().toLowerCase();
		}

	}

	record Child(String id, @Nullable List<Double> weights) {
	}

	record Timed(String id, List<Double> weights, Instant at) {
	}

	record Sample(String name, int count, long big, double ratio, BigDecimal price, boolean flag, Instant at,
			LocalDate day, Duration ttl, Optional<String> nickname, Optional<String> alias, @Nullable String note,
			Level level, List<String> tags, Map<String, Integer> limits, List<Child> children, Link link) {

		@com.fasterxml.jackson.annotation.JsonUnwrapped
		public Link link() {
			return this.link;
		}

	}

	/**
	 * A bean with a getter whose name starts with an upper-case prefix ({@code getURLPath}): {@code URLPath} by
	 * the Java Beans rules, which Jackson 3 follows and Jackson 2 only when told.
	 */
	static final class Link {

		private final String urlPath;

		@com.fasterxml.jackson.annotation.JsonCreator
		Link(@com.fasterxml.jackson.annotation.JsonProperty("URLPath") String urlPath) {
			this.urlPath = urlPath;
		}

		public String getURLPath() {
			return this.urlPath;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Link that && this.urlPath.equals(that.urlPath);
		}

		@Override
		public int hashCode() {
			return this.urlPath.hashCode();
		}

	}

}
