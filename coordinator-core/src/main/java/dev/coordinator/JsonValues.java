package dev.coordinator;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON mapping shared by {@link Coordinator#putJson} and {@code valueAs}, so that a value written by one
 * node reads back the same on every other: Java time types as ISO-8601 strings, and properties a reader does
 * not know ignored, so that nodes of different versions can share values during a rolling upgrade.
 */
final class JsonValues {

	private static final ObjectMapper MAPPER = JsonMapper.builder()
		.addModule(new JavaTimeModule())
		.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

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
			throw new CoordinatorValueException("Value of key '" + key + "' at revision " + revision
					+ " cannot be read as JSON " + type.getName() + ": " + ex.getMessage(), ex);
		}
	}

}
