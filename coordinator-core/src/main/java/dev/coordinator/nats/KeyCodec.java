package dev.coordinator.nats;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Maps coordinator keys to NATS KV keys and back, one to one.
 *
 * <p>A key such as {@code /nodes/node-1} is a {@code /} followed by non-empty segments separated by
 * {@code /}. Each segment becomes one subject token, so {@code /nodes/node-1} is stored as
 * {@code nodes.node-1} and the prefix {@code /nodes/} becomes the server-side filter {@code nodes.>}.
 * Within a segment, ASCII letters, digits, {@code -} and {@code _} stand for themselves; every other
 * character is written as {@code =XX} per byte of its UTF-8 encoding (upper-case hex), so {@code .} becomes
 * {@code =2E} and {@code =} becomes {@code =3D}. Decoding accepts only this canonical form, so that two KV
 * keys never decode to the same coordinator key. See {@code docs/wire-format.md}.
 */
public final class KeyCodec {

	/** Longest KV key the codec produces; longer keys are rejected. */
	public static final int MAX_ENCODED_LENGTH = 1024;

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private static final int MAX_SHOWN_LENGTH = 80;

	private KeyCodec() {
	}

	/**
	 * Encodes a coordinator key as a NATS KV key.
	 * @param key the coordinator key
	 * @return the KV key
	 * @throws IllegalArgumentException when the key is not a valid coordinator key
	 */
	public static String encode(String key) {
		requireKeyShape(key);
		String plain = encodeWithoutEscapes(key);
		if (plain != null) {
			return plain;
		}
		// Every character but the leading '/' encodes to at least one character
		if (key.length() - 1 > MAX_ENCODED_LENGTH) {
			throw tooLong(key, key.length() - 1);
		}
		StringBuilder encoded = new StringBuilder(key.length() + 8);
		int start = 1;
		while (start <= key.length()) {
			int end = key.indexOf('/', start);
			if (end < 0) {
				end = key.length();
			}
			if (end == start) {
				throw new IllegalArgumentException("Invalid key '" + printable(key) + "': it contains an empty segment "
						+ "('//' or a trailing '/'); keys look like '/nodes/node-1'");
			}
			if (encoded.length() > 0) {
				encoded.append('.');
			}
			encodeSegment(key, start, end, encoded);
			start = end + 1;
		}
		return encoded.toString();
	}

	/**
	 * Decodes a NATS KV key written by {@link #encode}.
	 * @param kvKey the KV key
	 * @return the coordinator key
	 * @throws IllegalArgumentException when the KV key is not in the canonical form {@link #encode} writes
	 */
	public static String decode(String kvKey) {
		String plain = decodeWithoutEscapes(kvKey);
		if (plain != null) {
			return plain;
		}
		if (kvKey.isEmpty()) {
			throw new IllegalArgumentException("KV key is empty");
		}
		StringBuilder key = new StringBuilder(kvKey.length() + 1);
		ByteArrayOutputStream escaped = new ByteArrayOutputStream();
		key.append('/');
		int tokenStart = 0;
		for (int i = 0; i < kvKey.length(); i++) {
			char c = kvKey.charAt(i);
			if (c == '.') {
				if (i == tokenStart) {
					throw new IllegalArgumentException("KV key '" + printable(kvKey) + "' has an empty token");
				}
				flush(escaped, key, kvKey);
				key.append('/');
				tokenStart = i + 1;
			}
			else if (c == '=') {
				if (i + 2 >= kvKey.length()) {
					throw new IllegalArgumentException(
							"KV key '" + printable(kvKey) + "' ends in an incomplete escape");
				}
				int high = hexValue(kvKey.charAt(i + 1));
				int low = hexValue(kvKey.charAt(i + 2));
				if (high < 0 || low < 0) {
					throw new IllegalArgumentException(
							"KV key '" + printable(kvKey) + "' has an invalid escape at " + i);
				}
				int b = (high << 4) | low;
				if (b < 0x80 && isLiteral((char) b)) {
					throw new IllegalArgumentException("KV key '" + printable(kvKey) + "' escapes '" + (char) b
							+ "', which is written as itself");
				}
				if (b == '/') {
					throw new IllegalArgumentException(
							"KV key '" + printable(kvKey) + "' escapes '/', the segment separator");
				}
				escaped.write(b);
				i += 2;
			}
			else if (isLiteral(c)) {
				flush(escaped, key, kvKey);
				key.append(c);
			}
			else {
				String character = kvKey.substring(i, i + Character.charCount(kvKey.codePointAt(i)));
				throw new IllegalArgumentException("KV key '" + printable(kvKey) + "' contains '"
						+ printable(character) + "', which the coordinator key mapping never writes");
			}
		}
		if (tokenStart == kvKey.length()) {
			throw new IllegalArgumentException("KV key '" + printable(kvKey) + "' has an empty token");
		}
		flush(escaped, key, kvKey);
		return key.toString();
	}

	/**
	 * Encodes, in one pass, a key of literal characters and slashes: what most keys are, and what every write
	 * encodes.
	 * @return the KV key, or {@code null} when the key needs escapes or is not valid (for {@link #encode} to
	 * encode or reject)
	 */
	private static @Nullable String encodeWithoutEscapes(String key) {
		int length = key.length();
		if (length < 2 || length - 1 > MAX_ENCODED_LENGTH || key.charAt(0) != '/') {
			return null;
		}
		char[] kvKey = new char[length - 1];
		int segmentStart = 1;
		for (int i = 1; i < length; i++) {
			char c = key.charAt(i);
			if (c == '/') {
				if (i == segmentStart) {
					return null;
				}
				kvKey[i - 1] = '.';
				segmentStart = i + 1;
			}
			else if (isLiteral(c)) {
				kvKey[i - 1] = c;
			}
			else {
				return null;
			}
		}
		return (segmentStart < length) ? new String(kvKey) : null;
	}

	/**
	 * Decodes, in one pass, a KV key of literal characters and dots: what most keys are, and what every reader
	 * decodes for every change it receives.
	 * @return the coordinator key, or {@code null} when the key has an escape or is not valid (for
	 * {@link #decode} to decode or reject)
	 */
	private static @Nullable String decodeWithoutEscapes(String kvKey) {
		int length = kvKey.length();
		char[] key = new char[length + 1];
		key[0] = '/';
		int tokenStart = 0;
		for (int i = 0; i < length; i++) {
			char c = kvKey.charAt(i);
			if (c == '.') {
				if (i == tokenStart) {
					return null;
				}
				key[i + 1] = '/';
				tokenStart = i + 1;
			}
			else if (isLiteral(c)) {
				key[i + 1] = c;
			}
			else {
				return null;
			}
		}
		return (tokenStart < length) ? new String(key) : null;
	}

	/**
	 * Returns the KV key filter that selects, on the server, every key that can start with a prefix: the
	 * prefix's complete segments followed by {@code >}. Keys it selects must still be matched against the
	 * prefix itself when the prefix ends inside a segment.
	 * @param prefix a plain string prefix of coordinator keys; empty or {@code /} for all keys
	 * @return the KV key filter, e.g. {@code nodes.>} for {@code /nodes/} and {@code /nodes/no}
	 * @throws IllegalArgumentException when no key can start with the prefix
	 */
	public static String filter(String prefix) {
		if (prefix.isEmpty() || prefix.equals("/")) {
			return ">";
		}
		if (prefix.charAt(0) != '/') {
			throw new IllegalArgumentException(
					"Invalid prefix '" + printable(prefix) + "': keys start with '/', e.g. '/nodes/'");
		}
		int lastSlash = prefix.lastIndexOf('/');
		if (lastSlash == 0) {
			return ">";
		}
		return encode(prefix.substring(0, lastSlash)) + ".>";
	}

	/**
	 * Checks that a prefix can match keys, as {@link #filter} does.
	 * @param prefix the prefix
	 * @return the prefix
	 * @throws IllegalArgumentException when no key can start with the prefix
	 */
	public static String requireValidPrefix(String prefix) {
		filter(prefix);
		return prefix;
	}

	private static void requireKeyShape(String key) {
		if (key == null) {
			throw new IllegalArgumentException("Key must not be null");
		}
		if (key.isEmpty() || key.charAt(0) != '/') {
			throw new IllegalArgumentException(
					"Invalid key '" + printable(key) + "': keys start with '/', e.g. '/nodes/node-1'");
		}
		if (key.length() == 1) {
			throw new IllegalArgumentException("Invalid key '/': a key needs at least one segment, e.g. '/nodes'");
		}
	}

	private static void encodeSegment(String key, int start, int end, StringBuilder out) {
		for (int i = start; i < end; i++) {
			char c = key.charAt(i);
			if (isLiteral(c)) {
				out.append(c);
			}
			else {
				int codePoint = key.codePointAt(i);
				if (Character.isSurrogate(c) && Character.charCount(codePoint) == 1) {
					throw new IllegalArgumentException(
							"Invalid key '" + printable(key) + "': it contains an unpaired surrogate at " + i);
				}
				if (Character.isISOControl(codePoint)) {
					throw new IllegalArgumentException("Invalid key '" + printable(key)
							+ "': it contains the control character U+" + String.format("%04X", codePoint) + " at " + i);
				}
				for (byte b : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8)) {
					out.append('=').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
				}
				i += Character.charCount(codePoint) - 1;
			}
			if (out.length() > MAX_ENCODED_LENGTH) {
				throw tooLong(key, out.length());
			}
		}
	}

	private static IllegalArgumentException tooLong(String key, int minEncodedLength) {
		return new IllegalArgumentException("Invalid key '" + printable(key) + "': its encoded form has at least "
				+ minEncodedLength + " characters, more than the " + MAX_ENCODED_LENGTH + " allowed");
	}

	private static void flush(ByteArrayOutputStream escaped, StringBuilder key, String kvKey) {
		if (escaped.size() == 0) {
			return;
		}
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		try {
			CharBuffer chars = decoder.decode(ByteBuffer.wrap(escaped.toByteArray()));
			chars.chars().filter(Character::isISOControl).findAny().ifPresent((control) -> {
				throw new IllegalArgumentException("KV key '" + printable(kvKey) + "' escapes a control character");
			});
			key.append(chars);
		}
		catch (CharacterCodingException ex) {
			throw new IllegalArgumentException("KV key '" + printable(kvKey) + "' escapes bytes that are not UTF-8",
					ex);
		}
		escaped.reset();
	}

	private static boolean isLiteral(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
	}

	private static int hexValue(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'A' && c <= 'F') {
			return c - 'A' + 10;
		}
		return -1;
	}

	/**
	 * Renders a key for an error message: escapes, as Java source would, the characters that could forge or
	 * hide log lines (control and format characters, line and paragraph separators, unpaired surrogates) and
	 * {@code \}, and abbreviates a long key.
	 */
	private static String printable(String key) {
		StringBuilder shown = new StringBuilder();
		int cut = 0;
		for (int i = 0; i < key.length(); i += Character.charCount(key.codePointAt(i))) {
			if (shown.length() <= MAX_SHOWN_LENGTH - 3) {
				cut = shown.length();
			}
			appendPrintable(key.codePointAt(i), shown);
			if (shown.length() > MAX_SHOWN_LENGTH) {
				shown.setLength(cut);
				return shown.append("...").toString();
			}
		}
		return shown.toString();
	}

	private static void appendPrintable(int codePoint, StringBuilder out) {
		int type = Character.getType(codePoint);
		if (codePoint == '\\') {
			out.append("\\\\");
		}
		else if (codePoint == '\n') {
			out.append("\\n");
		}
		else if (codePoint == '\r') {
			out.append("\\r");
		}
		else if (codePoint == '\t') {
			out.append("\\t");
		}
		else if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
				|| type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE) {
			for (char c : Character.toChars(codePoint)) {
				out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
					.append(HEX[c & 0xF]);
			}
		}
		else {
			out.appendCodePoint(codePoint);
		}
	}

}
