package dev.coordinator.json;

import dev.coordinator.CoordinatorJsonCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.function.SingletonSupplier;

/**
 * A {@link CoordinatorJsonCodec} on Jackson 3 ({@code tools.jackson.core:jackson-databind}), for applications
 * that use Jackson 3 only. It writes the same JSON as {@link Jackson2JsonCodec}, byte for byte, and reads what it
 * writes, so nodes of one cluster may use either: Jackson 3's defaults that differ from Jackson 2's are set back
 * (properties in declaration order rather than sorted, enums by {@code name()} rather than {@code toString()},
 * getter names by the Java Beans rules without Jackson 3's renaming after a field with an upper-case prefix,
 * empty beans an error, lenient reading of nulls for primitives and of trailing content). Jackson 3 itself writes
 * {@code java.time} types as ISO-8601 strings and {@code Optional} as its value. The mapper is built on first
 * use, as {@link Jackson2JsonCodec}'s is.
 */
public class Jackson3JsonCodec implements CoordinatorJsonCodec {

	private final SingletonSupplier<JsonMapper> mapper = SingletonSupplier.of(Jackson3JsonCodec::createMapper);

	/**
	 * Creates the codec with the library's settings.
	 */
	public Jackson3JsonCodec() {
	}

	private static JsonMapper createMapper() {
		return JsonMapper.builder()
			.disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
			.disable(MapperFeature.FIX_FIELD_NAME_UPPER_CASE_PREFIX)
			.disable(EnumFeature.WRITE_ENUMS_USING_TO_STRING)
			.disable(EnumFeature.READ_ENUMS_USING_TO_STRING)
			.enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
			.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.build();
	}

	@Override
	public byte[] write(Object value) {
		try {
			return this.mapper.obtain().writeValueAsBytes(value);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(ex.getOriginalMessage(), ex);
		}
	}

	@Override
	public <T> T read(byte[] json, Class<T> type) {
		try {
			return this.mapper.obtain().readValue(json, type);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(ex.getMessage(), ex);
		}
	}

}
