package dev.coordinator.json;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.coordinator.CoordinatorJsonCodec;
import org.junit.jupiter.api.Test;

import org.springframework.util.function.SingletonSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Creating the Jackson 2 codec does not build its mapper, so that a node that never writes or reads JSON does
 * not load Jackson at start-up; the first write does.
 */
class JsonCodecStartupTests {

	/** A class that only building an {@code ObjectMapper} loads. */
	private static final String BUILT_MAPPER = "com.fasterxml.jackson.databind.ser.BeanSerializerFactory";

	@Test
	void jackson2BuildsItsMapperOnFirstUse() throws Exception {
		try (IsolatedClassLoader loader = new IsolatedClassLoader()) {
			Class<?> codecType = loader.loadClass(Jackson2JsonCodec.class.getName());
			Object codec = codecType.getConstructor().newInstance();
			assertThat(loader.loaded(BUILT_MAPPER)).as("mapper built by the constructor").isFalse();
			byte[] json = (byte[]) codecType.getMethod("write", Object.class).invoke(codec, Map.of("count", 42));
			assertThat(json).asString().isEqualTo("{\"count\":42}");
			assertThat(loader.loaded(BUILT_MAPPER)).as("mapper built by the first write").isTrue();
		}
	}

	/**
	 * Loads the codec and Jackson itself, not through the test's class loader where other tests already loaded
	 * them.
	 */
	private static final class IsolatedClassLoader extends URLClassLoader {

		IsolatedClassLoader() {
			super(locations(List.of(Jackson2JsonCodec.class, CoordinatorJsonCodec.class, ObjectMapper.class,
					JsonFactory.class, JsonAutoDetect.class, JavaTimeModule.class, Jdk8Module.class,
					SingletonSupplier.class)), ClassLoader.getPlatformClassLoader());
		}

		boolean loaded(String name) {
			return findLoadedClass(name) != null;
		}

		private static URL[] locations(List<Class<?>> types) {
			return types.stream()
				.map((type) -> type.getProtectionDomain().getCodeSource().getLocation())
				.distinct()
				.toArray(URL[]::new);
		}

	}

}
