package dev.coordinator.json;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.coordinator.CoordinatorJsonCodec;

import org.springframework.util.function.SingletonSupplier;

/**
 * The default {@link CoordinatorJsonCodec}, on a Jackson 2 {@link ObjectMapper} of its own whose settings the
 * library fixes, so that every node writes and reads the same JSON whatever the application configures for its
 * own mapper:
 * <ul>
 * <li>Jackson 2's defaults (properties in declaration order, record components in their order, enums by
 * {@code name()}, nulls written), with no default typing: JSON never names a Java class;
 * <li>property names of getters by the Java Beans rules ({@code getURL()} is {@code URL}), and characters
 * outside the Basic Multilingual Plane (emoji) as UTF-8 rather than escaped;
 * <li>{@code java.time} types as ISO-8601 strings ({@code "2025-01-31T10:15:30Z"}, durations as
 * {@code "PT10S"}), {@code Optional} as its value or {@code null};
 * <li>properties a reader does not know are ignored, so that nodes of different versions share values during a
 * rolling upgrade.
 * </ul>
 * {@link Jackson3JsonCodec} writes the same bytes. The mapper is built on first use, so that a node that never
 * writes or reads JSON does not load Jackson (about 500 classes) at start-up.
 */
public class Jackson2JsonCodec implements CoordinatorJsonCodec {

	private final SingletonSupplier<ObjectMapper> mapper = SingletonSupplier.of(Jackson2JsonCodec::createMapper);

	/**
	 * Creates the codec with the library's settings.
	 */
	public Jackson2JsonCodec() {
	}

	private static ObjectMapper createMapper() {
		return JsonMapper.builder()
			.addModule(new JavaTimeModule())
			.addModule(new Jdk8Module())
			.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
			.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
			.enable(MapperFeature.USE_STD_BEAN_NAMING)
			.enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
			.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.build();
	}

	@Override
	public byte[] write(Object value) {
		try {
			return this.mapper.obtain().writeValueAsBytes(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException(ex.getOriginalMessage(), ex);
		}
	}

	@Override
	public <T> T read(byte[] json, Class<T> type) {
		try {
			return this.mapper.obtain().readValue(json, type);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException(ex.getMessage(), ex);
		}
	}

}
