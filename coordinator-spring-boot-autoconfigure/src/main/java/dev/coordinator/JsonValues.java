package dev.coordinator;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON mapping shared by {@link Coordinator#putJson} and {@code valueAs}, so that a value written by one
 * node reads back the same on every other.
 */
final class JsonValues {

	private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

	private JsonValues() {
	}

	static byte[] write(String key, Object value) {
		try {
			return MAPPER.writeValueAsBytes(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException("Value for key '" + key + "' cannot be written as JSON: "
					+ ex.getOriginalMessage(), ex);
		}
	}

	static <T> T read(String key, long revision, byte[] value, Class<T> type) {
		try {
			return MAPPER.readValue(value, type);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Value of key '" + key + "' at revision " + revision
					+ " cannot be read as JSON " + type.getName() + ": " + ex.getMessage(), ex);
		}
	}

}
