package dev.coordinator;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The value of a key at one revision, as a coordinator read it.
 *
 * <p>Two entries are equal when their key, value, revision and creation time are.
 */
public final class CoordinatorEntry {

	private final String key;

	private final byte[] value;

	private final long revision;

	private final Instant created;

	private final CoordinatorJsonCodec jsonCodec;

	/**
	 * Creates an entry.
	 * @param key the key, e.g. {@code /nodes/node-1}
	 * @param value the value; empty when an empty value was stored
	 * @param revision the revision of the write that stored this value
	 * @param created when the server stored this value
	 * @param jsonCodec the codec {@link #valueAs} reads with: the one of the coordinator that read the entry
	 */
	public CoordinatorEntry(String key, byte[] value, long revision, Instant created, CoordinatorJsonCodec jsonCodec) {
		this.key = Objects.requireNonNull(key, "key");
		this.value = Objects.requireNonNull(value, "value");
		this.revision = revision;
		this.created = Objects.requireNonNull(created, "created");
		this.jsonCodec = Objects.requireNonNull(jsonCodec, "jsonCodec");
	}

	/**
	 * Returns the key.
	 * @return the key, e.g. {@code /nodes/node-1}
	 */
	public String key() {
		return this.key;
	}

	/**
	 * Returns the value.
	 * @return the value; never {@code null}, empty when an empty value was stored
	 */
	public byte[] value() {
		return this.value;
	}

	/**
	 * Returns the revision of the write that stored this value.
	 * @return the revision
	 */
	public long revision() {
		return this.revision;
	}

	/**
	 * Returns when the server stored this value.
	 * @return when the value was stored
	 */
	public Instant created() {
		return this.created;
	}

	/**
	 * Reads the value as JSON, with the {@link Coordinator#jsonCodec() codec} of the coordinator that read it.
	 * @param <T> the type to read
	 * @param type the type to read
	 * @return the value as an instance of the type
	 * @throws CoordinatorValueException when the value is not JSON of that type
	 */
	public <T> T valueAs(Class<T> type) {
		return JsonValues.read(this.jsonCodec, this.key, this.revision, this.value, type);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof CoordinatorEntry that && this.revision == that.revision && this.key.equals(that.key)
				&& Arrays.equals(this.value, that.value) && this.created.equals(that.created);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.key, this.revision, Arrays.hashCode(this.value), this.created);
	}

	@Override
	public String toString() {
		return "CoordinatorEntry[key=" + this.key + ", revision=" + this.revision + ", value=" + this.value.length
				+ " bytes, created=" + this.created + "]";
	}

}
