package dev.coordinator.nats;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Properties of {@link KeyCodec} over generated keys: letters, escapes, dots, wildcards, white space, any
 * Unicode (unpaired surrogates included) and control characters.
 */
class KeyCodecPropertyTests {

	@Property(tries = 2000)
	void everyAcceptedKeyRoundTripsAndEveryOtherIsRejectedNamingIt(@ForAll("keys") String key) {
		String encoded;
		try {
			encoded = KeyCodec.encode(key);
		}
		catch (IllegalArgumentException ex) {
			Statistics.collect("rejected");
			assertRejectionNames(ex, key);
			return;
		}
		Statistics.collect("accepted");
		assertThat(encoded).matches("[A-Za-z0-9_=-]+(\\.[A-Za-z0-9_=-]+)*").hasSizeLessThanOrEqualTo(
				KeyCodec.MAX_ENCODED_LENGTH);
		assertThat(encoded.split("\\.", -1)).hasSize(key.split("/", -1).length - 1);
		assertThat(KeyCodec.decode(encoded)).isEqualTo(key);
	}

	@Property(tries = 2000)
	void anyStringIsEncodedOrRejectedWithIllegalArgumentException(@ForAll String text) {
		for (String key : List.of(text, "/" + text)) {
			Throwable failure = catchThrowable(() -> assertThat(KeyCodec.decode(KeyCodec.encode(key))).isEqualTo(key));
			if (failure != null) {
				assertThat(failure).isInstanceOf(IllegalArgumentException.class);
				assertRejectionNames((IllegalArgumentException) failure, key);
			}
		}
	}

	@Property(tries = 2000)
	void keysThatDifferNeverShareAnEncoding(@ForAll("nearbyKeys") List<String> pair) {
		String a = pair.get(0);
		String b = pair.get(1);
		String encodedA = encodeOrNull(a);
		String encodedB = encodeOrNull(b);
		Statistics.collect((encodedA != null && encodedB != null) ? "both accepted" : "one rejected");
		if (encodedA != null && encodedB != null && !a.equals(b)) {
			assertThat(encodedA).isNotEqualTo(encodedB);
		}
	}

	@Property(tries = 3000)
	void onlyTheCanonicalFormDecodesSoNoTwoKvKeysShareAKey(@ForAll("kvKeys") String kvKey) {
		String key;
		try {
			key = KeyCodec.decode(kvKey);
		}
		catch (IllegalArgumentException ex) {
			Statistics.collect("not a key of ours");
			return;
		}
		Statistics.collect("decoded");
		assertThat(KeyCodec.encode(key)).isEqualTo(kvKey);
	}

	/**
	 * A rejected key is named in the message: as itself when it is short and printable, escaped or abbreviated
	 * otherwise.
	 */
	private static void assertRejectionNames(IllegalArgumentException ex, String key) {
		boolean plain = key.length() <= 70 && key.chars().allMatch((c) -> c >= 0x20 && c < 0x7F && c != '\\');
		if (plain) {
			assertThat(ex.getMessage()).contains("'" + key + "'");
		}
		else {
			assertThat(ex.getMessage()).startsWith("Invalid key '");
		}
	}

	private static String encodeOrNull(String key) {
		try {
			return KeyCodec.encode(key);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	@Provide
	Arbitrary<String> keys() {
		Arbitrary<String> piece = Arbitraries.oneOf(
				Arbitraries.strings().withChars("abzAZ09-_").ofMinLength(1).ofMaxLength(6),
				Arbitraries.strings().withChars(".=*> %$\\\t").ofMinLength(1).ofMaxLength(3),
				Arbitraries.of("=2E", "=3D", "=41", ".", "..", "\u00e9", "\ud83d\ude80", "\u4e2d\u6587", "\u0000",
						"\u007f", "\u202e", "\ud800", "\udc00", "/"),
				Arbitraries.strings().all().ofMinLength(1).ofMaxLength(3));
		Arbitrary<String> segment = piece.list().ofMinSize(1).ofMaxSize(4).map((pieces) -> String.join("", pieces));
		Arbitrary<String> keys = segment.list().ofMinSize(1).ofMaxSize(5).map((segments) -> "/" + String.join("/", segments));
		Arbitrary<String> longKeys = Arbitraries.strings().withChars("a\u00e9.").ofMinLength(300).ofMaxLength(1100)
			.map((text) -> "/" + text);
		return Arbitraries.frequencyOf(Tuple.of(9, keys), Tuple.of(1, longKeys));
	}

	@Provide
	Arbitrary<List<String>> nearbyKeys() {
		return keys().flatMap((key) -> Arbitraries.integers().between(0, key.length() - 1).flatMap((at) -> Arbitraries
			.of(".", "/", "=", "=2E", "=2e", "=2F", "%2E", "", "\u00e9", "=C3=A9", "a", "A")
			.flatMap((text) -> Arbitraries.of(true, false)
				.map((replace) -> List.of(key, key.substring(0, at) + text + key.substring(replace ? at + 1 : at))))));
	}

	@Provide
	Arbitrary<String> kvKeys() {
		Arbitrary<String> piece = Arbitraries.oneOf(
				Arbitraries.strings().withChars("azAZ09-_.").ofMinLength(1).ofMaxLength(4),
				Arbitraries.strings().withChars("0123456789ABCDEFabcdef").ofLength(2).map((hex) -> "=" + hex),
				Arbitraries.of("=2E", "=3D", "=C3=A9", "=C3", "=A9", "=F0=9F=9A=80", "=2F", "=0A", "=41", "=2e", "=",
						"=Z", "/", ".", "..", "\u00e9", "*", ">", " "));
		return piece.list().ofMinSize(1).ofMaxSize(8).map((pieces) -> String.join("", pieces));
	}

}
