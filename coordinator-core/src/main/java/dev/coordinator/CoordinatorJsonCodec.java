package dev.coordinator;

/**
 * Writes objects as JSON and reads them back: what {@link Coordinator#putJson}, {@link CoordinatorEvent#valueAs}
 * and {@link CoordinatorEntry#valueAs} use, and what the library's own records (members, locks) are stored with.
 *
 * <p>Every node that shares a bucket must write and read the same JSON, whatever the application's own
 * {@code ObjectMapper} looks like: the library's codecs ({@link dev.coordinator.json.Jackson2JsonCodec},
 * {@link dev.coordinator.json.Jackson3JsonCodec}) have settings of their own, fixed by the library, and write the
 * same bytes. An application may supply its own codec (as a bean, with Spring Boot); it then has to read what
 * the library's codecs write, Java records with non-public ones among them, and every node of the cluster has to
 * use it.
 */
public interface CoordinatorJsonCodec {

	/**
	 * Writes a value as JSON.
	 * @param value the value
	 * @return the JSON, UTF-8 encoded
	 * @throws IllegalArgumentException when the value cannot be written as JSON
	 */
	byte[] write(Object value);

	/**
	 * Reads JSON as an instance of a type.
	 * @param <T> the type
	 * @param json the JSON, UTF-8 encoded
	 * @param type the type to read
	 * @return the value
	 * @throws IllegalArgumentException when the bytes are not JSON of that type
	 */
	<T> T read(byte[] json, Class<T> type);

}
