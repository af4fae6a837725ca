package dev.coordinator;

/**
 * Calls of a {@link CoordinatorJsonCodec} for a key, with failures that name the key (and revision).
 */
final class JsonValues {

	private JsonValues() {
	}

	static byte[] write(CoordinatorJsonCodec codec, String key, Object value) {
		try {
			return codec.write(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Value for key '" + key + "' cannot be written as JSON: "
					+ ex.getMessage(), ex);
		}
	}

	static <T> T read(CoordinatorJsonCodec codec, String key, long revision, byte[] value, Class<T> type) {
		try {
			return codec.read(value, type);
		}
		catch (IllegalArgumentException ex) {
			throw new CoordinatorValueException("Value of key '" + key + "' at revision " + revision
					+ " cannot be read as JSON " + type.getName() + ": " + ex.getMessage(), ex);
		}
	}

}
