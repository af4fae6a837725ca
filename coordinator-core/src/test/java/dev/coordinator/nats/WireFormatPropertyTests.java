package dev.coordinator.nats;

import java.time.Instant;
import java.util.List;

import dev.coordinator.CoordinatorAction;
import io.nats.client.impl.Headers;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link WireFormat#read} on arbitrary subjects, headers and bodies, as anyone allowed to write the bucket can
 * send them: a change whose key is the one its subject encodes, or malformed; never another exception.
 */
class WireFormatPropertyTests {

	private static final String PREFIX = "$KV.orders.";

	private static final Instant WRITTEN_AT = Instant.parse("2026-01-01T00:00:00Z");

	private static final List<String> HEADERS = List.of(WireFormat.FORMAT_HEADER, WireFormat.ORIGIN_HEADER,
			WireFormat.NOTIFY_HEADER, WireFormat.KV_OPERATION_HEADER, "Nats-Msg-Id", "X-Other");

	@Property(tries = 5000)
	void anyMessageIsAChangeOfTheKeyItsSubjectEncodesOrMalformed(@ForAll("subjects") String subject,
			@ForAll("headers") @Nullable Headers headers, @ForAll byte @Nullable [] data) {
		long revision = 42;
		WireFormat.Change change;
		try {
			change = WireFormat.read(subject, headers, data, revision, WRITTEN_AT, PREFIX);
		}
		catch (WireFormat.MalformedMessageException ex) {
			Statistics.collect("malformed");
			assertThat(ex.revision()).isEqualTo(revision);
			assertThat(ex.getMessage()).isNotBlank().hasSizeLessThan(1024)
				.matches((message) -> message.chars().noneMatch((c) -> c == '\n' || c == '\r'), "is one line");
			return;
		}
		Statistics.collect(change.action().toString());
		assertThat(subject).startsWith(PREFIX);
		assertThat(change.key()).isEqualTo(KeyCodec.decode(subject.substring(PREFIX.length())));
		assertThat(KeyCodec.encode(change.key())).isEqualTo(subject.substring(PREFIX.length()));
		assertThat(change.revision()).isEqualTo(revision);
		assertThat(change.writtenAt()).isEqualTo(WRITTEN_AT);
		List<String> operation = (headers != null) ? headers.get(WireFormat.KV_OPERATION_HEADER) : null;
		if (operation == null || operation.isEmpty()) {
			assertThat(change.action()).isEqualTo(CoordinatorAction.PUT);
			assertThat(change.value()).isEqualTo((data != null) ? data : new byte[0]);
		}
		else {
			assertThat(operation).singleElement().isIn("DEL", "PURGE");
			assertThat(change.action()).isEqualTo(CoordinatorAction.DELETE);
			assertThat(change.value()).isNull();
		}
		if (change.origin() != null) {
			assertThat(change.origin()).hasSizeLessThanOrEqualTo(WireFormat.MAX_HEADER_LENGTH);
			assertThat(headers.get(WireFormat.ORIGIN_HEADER)).containsExactly(change.origin());
		}
	}

	@Property(tries = 500)
	void oversizeOrRepeatedHeadersAreMalformed(@ForAll("readHeaders") String name,
			@ForAll("oversize") String value) {
		Headers oversize = new Headers().put(name, value);
		Headers repeated = new Headers().add(name, "DEL", "DEL");
		for (Headers headers : List.of(oversize, repeated)) {
			Throwable failure = catchThrowable(
					() -> WireFormat.read(PREFIX + "nodes.node-1", headers, new byte[0], 7, WRITTEN_AT, PREFIX));
			assertThat(failure).isInstanceOf(WireFormat.MalformedMessageException.class).hasMessageContaining(name);
		}
	}

	@Provide
	Arbitrary<String> subjects() {
		Arbitrary<String> encodedKeys = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(12).map((text) -> {
			try {
				return PREFIX + KeyCodec.encode("/" + text.replace('/', '-'));
			}
			catch (IllegalArgumentException ex) {
				return PREFIX + "x";
			}
		});
		Arbitrary<String> kvKeys = Arbitraries.oneOf(
				Arbitraries.strings().withChars("azAZ09-_.=/*>").ofMinLength(0).ofMaxLength(12),
				Arbitraries.of("nodes.node-1", "a=2Eb", "a=2eb", "=C3=A9", "=C3", "=2F", "=0A", "=41", "a..b", ".a",
						"a.", "_coordinator/nodes.n", "\u00e9"))
			.map((kvKey) -> PREFIX + kvKey);
		Arbitrary<String> foreign = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(20),
				Arbitraries.of("$KV.orders", "$KV.orders_eu.x", "$KV.order.x", "$KV.other.nodes.node-1"));
		return Arbitraries.frequencyOf(Tuple.of(4, encodedKeys), Tuple.of(4, kvKeys), Tuple.of(2, foreign));
	}

	@Provide
	Arbitrary<@Nullable Headers> headers() {
		Arbitrary<String> values = Arbitraries.frequencyOf(
				Tuple.of(6, Arbitraries.of("1", "2", "", "true", "false", "TRUE", "DEL", "PURGE", "PUT", "node-1", " DEL")),
				Tuple.of(2, Arbitraries.strings().ascii().ofMaxLength(20)),
				Tuple.of(1, Arbitraries.strings().all().ofMaxLength(5)),
				Tuple.of(1, Arbitraries.strings().withChars("ab").ofMinLength(100).ofMaxLength(300)));
		Arbitrary<Tuple.Tuple2<String, String>> header = Combinators.combine(Arbitraries.of(HEADERS), values)
			.as(Tuple::of);
		Arbitrary<Headers> some = header.list().ofMaxSize(4).map((entries) -> {
			Headers headers = new Headers();
			for (Tuple.Tuple2<String, String> entry : entries) {
				try {
					headers.add(entry.get1(), entry.get2());
				}
				catch (IllegalArgumentException ex) {
					// A value the client refuses to carry cannot reach a node either.
				}
			}
			return headers;
		});
		Arbitrary<Headers> wellFormed = Combinators.combine(Arbitraries.of("", "1"), Arbitraries.of("", "node-1"),
				Arbitraries.of("", "true", "false"), Arbitraries.of("", "DEL", "PURGE"))
			.as((format, origin, notify, operation) -> {
				Headers headers = new Headers();
				List<String> chosen = List.of(format, origin, notify, operation);
				for (int i = 0; i < chosen.size(); i++) {
					if (!chosen.get(i).isEmpty()) {
						headers.add(HEADERS.get(i), chosen.get(i));
					}
				}
				return headers;
			});
		return Arbitraries.oneOf(some, wellFormed).injectNull(0.1);
	}

	@Provide
	Arbitrary<String> readHeaders() {
		return Arbitraries.of(WireFormat.FORMAT_HEADER, WireFormat.ORIGIN_HEADER, WireFormat.NOTIFY_HEADER,
				WireFormat.KV_OPERATION_HEADER);
	}

	@Provide
	Arbitrary<String> oversize() {
		return Arbitraries.strings().withChars("aZ9- ").ofMinLength(WireFormat.MAX_HEADER_LENGTH + 1).ofMaxLength(5000);
	}

}
