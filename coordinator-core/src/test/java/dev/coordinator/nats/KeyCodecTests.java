package dev.coordinator.nats;

import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchIllegalArgumentException;

class KeyCodecTests {

	@Test
	void plainSegmentsBecomeSubjectTokens() {
		assertThat(KeyCodec.encode("/nodes/node-1")).isEqualTo("nodes.node-1");
		assertThat(KeyCodec.encode("/a")).isEqualTo("a");
		assertThat(KeyCodec.decode("nodes.node-1")).isEqualTo("/nodes/node-1");
	}

	@Test
	void otherCharactersAreEscapedAsUtf8Bytes() {
		assertThat(KeyCodec.encode("/schema/org.table")).isEqualTo("schema.org=2Etable");
		assertThat(KeyCodec.encode("/a=b")).isEqualTo("a=3Db");
		assertThat(KeyCodec.encode("/caf\u00e9")).isEqualTo("caf=C3=A9");
		assertThat(KeyCodec.encode("/with space/*/>")).isEqualTo("with=20space.=2A.=3E");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/nodes/node-1", "/a", "/a/b/c/d/e", "/schema/org.table", "/x=y", "/%41", "/caf\u00e9/\u00fcber",
			"/emoji/\ud83d\ude80", "/dots/.../..", "/star/*/>", "/sp ace/tab\u00a0nbsp", "/UPPER/lower/123/_-",
			"/=2E", "/$KV/x", "/a\\b", "/\u4e2d\u6587" })
	void validKeysRoundTrip(String key) {
		String encoded = KeyCodec.encode(key);
		assertThat(encoded).matches("[A-Za-z0-9_=.-]+").doesNotStartWith(".").doesNotEndWith(".");
		assertThat(KeyCodec.decode(encoded)).isEqualTo(key);
	}

	@Test
	void distinctKeysNeverShareAnEncoding() {
		assertThat(KeyCodec.encode("/a.b")).isNotEqualTo(KeyCodec.encode("/a/b"));
		assertThat(KeyCodec.encode("/=2E")).isNotEqualTo(KeyCodec.encode("/."));
	}

	@Test
	void invalidKeysAreRejectedWithTheReason() {
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("nodes/a")).withMessageContaining("start with '/'");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("")).withMessageContaining("start with '/'");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("/")).withMessageContaining("at least one segment");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("/a//b")).withMessageContaining("empty segment");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("/a/")).withMessageContaining("empty segment");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("/a\nb")).withMessageContaining("control character U+000A");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("/a\ud800")).withMessageContaining("unpaired surrogate");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode(null)).withMessageContaining("null");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("/" + "x".repeat(KeyCodec.MAX_ENCODED_LENGTH + 1)))
			.withMessageContaining("1025 characters, more than the 1024 allowed");
	}

	@Test
	void overLongKeysAreRejectedBeforeAnyOfTheirCharactersAreEncoded() {
		// The unpaired surrogate right after the '/' would be rejected by the first character encoded
		assertThatIllegalArgumentException()
			.isThrownBy(() -> KeyCodec.encode("/\ud800" + "x".repeat(KeyCodec.MAX_ENCODED_LENGTH)))
			.withMessageContaining("at least 1025 characters, more than the 1024 allowed");
		// Encoding this key in full would build 180 million characters; the bound comes from its length alone
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode("/" + "\u00e9".repeat(30_000_000)))
			.withMessageContaining("at least 30000000 characters, more than the 1024 allowed");
	}

	@Test
	void encodingStopsAsSoonAsTheEncodedFormIsTooLong() {
		// 200 characters, short enough to be encoded, but each is 6 encoded ones: encoding stops at the
		// 171st, the first past the limit, before it reaches the newline
		assertThatIllegalArgumentException()
			.isThrownBy(() -> KeyCodec.encode("/" + "\u00e9".repeat(200) + "\n"))
			.withMessageContaining("at least 1026 characters, more than the 1024 allowed");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", ".a", "a.", "a..b", "a=2", "a=2e", "a=41", "a=2F", "a=FF", "a=0A", "a/b", "a*", "=C3" })
	void kvKeysNotWrittenByTheCodecAreRejected(String kvKey) {
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.decode(kvKey));
	}

	static Stream<Arguments> rejectedInputsWithControlCharacters() {
		// A newline, an ANSI escape sequence, NUL, a line separator and a right-to-left override
		String forged = "\n\u001B[2J\u0000\u2028\u202E";
		String shown = "\\n\\u001B[2J\\u0000\\u2028\\u202E";
		Function<String, String> encode = KeyCodec::encode;
		Function<String, String> decode = KeyCodec::decode;
		Function<String, String> filter = KeyCodec::filter;
		Function<String, String> requireValidPrefix = KeyCodec::requireValidPrefix;
		return Stream.of(Arguments.of("encode: no leading '/'", encode, "nodes" + forged, "'nodes" + shown + "'"),
				Arguments.of("encode: empty segment", encode, "/a//" + forged, "'/a//" + shown + "'"),
				Arguments.of("encode: control character", encode, "/a" + forged, "'/a" + shown + "'"),
				Arguments.of("encode: unpaired surrogate", encode, "/a\ud800" + forged, "'/a\\uD800" + shown + "'"),
				Arguments.of("encode: too long", encode, "/" + forged + "x".repeat(KeyCodec.MAX_ENCODED_LENGTH),
						"'/" + shown + "xxx"),
				Arguments.of("encode: literal backslash", encode, "nodes\\n" + forged, "'nodes\\\\n" + shown + "'"),
				Arguments.of("decode: empty token", decode, "a.." + forged, "'a.." + shown + "'"),
				Arguments.of("decode: incomplete escape", decode, "a=\n", "'a=\\n'"),
				Arguments.of("decode: invalid escape", decode, "a=ZZ" + forged, "'a=ZZ" + shown + "'"),
				Arguments.of("decode: escaped literal", decode, "a=41" + forged, "'a=41" + shown + "'"),
				Arguments.of("decode: escaped '/'", decode, "a=2F" + forged, "'a=2F" + shown + "'"),
				Arguments.of("decode: unexpected character", decode, "a" + forged, "contains '\\n'"),
				Arguments.of("decode: escaped control character", decode, "a=0A.b" + forged, "'a=0A.b" + shown + "'"),
				Arguments.of("decode: escaped bytes not UTF-8", decode, "a=FF.b" + forged, "'a=FF.b" + shown + "'"),
				Arguments.of("filter: no leading '/'", filter, "nodes" + forged + "/", "'nodes" + shown + "/'"),
				Arguments.of("filter: empty segment", filter, "/a//" + forged + "/", "'/a//" + shown + "'"),
				Arguments.of("requireValidPrefix", requireValidPrefix, "/a//" + forged + "/", "'/a//" + shown + "'"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("rejectedInputsWithControlCharacters")
	void rejectedInputsAreShownWithControlCharactersEscaped(String rejection, Function<String, String> operation,
			String input, String shown) {
		IllegalArgumentException ex = catchIllegalArgumentException(() -> operation.apply(input));
		assertThat(ex).isNotNull();
		assertThat(ex.getMessage()).doesNotContainPattern("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]").contains(shown);
	}

	@Test
	void longRejectedInputsAreAbbreviatedInMessages() {
		assertThat(catchIllegalArgumentException(() -> KeyCodec.decode("a".repeat(10_000) + "*")).getMessage())
			.contains("'" + "a".repeat(77) + "...'")
			.hasSizeLessThan(200);
		assertThat(catchIllegalArgumentException(() -> KeyCodec.encode("/a/" + "b".repeat(10_000) + "//")).getMessage())
			.contains("'/a/" + "b".repeat(74) + "...'")
			.hasSizeLessThan(200);
	}

	@Test
	void prefixesBecomeServerSideFiltersOfTheirCompleteSegments() {
		assertThat(KeyCodec.filter("/")).isEqualTo(">");
		assertThat(KeyCodec.filter("")).isEqualTo(">");
		assertThat(KeyCodec.filter("/no")).isEqualTo(">");
		assertThat(KeyCodec.filter("/nodes/")).isEqualTo("nodes.>");
		assertThat(KeyCodec.filter("/nodes/no")).isEqualTo("nodes.>");
		assertThat(KeyCodec.filter("/a.b/c/")).isEqualTo("a=2Eb.c.>");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.filter("nodes/")).withMessageContaining("start with '/'");
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.filter("/a//")).withMessageContaining("empty segment");
	}

}
