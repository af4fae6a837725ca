package dev.coordinator;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The value of a key at one revision.
 *
 * @param key the key, e.g. {@code /nodes/node-1}
 * @param value the value; never {@code null}, empty when an empty value was stored
 * @param revision the revision of the write that stored this value
 * @param created when the server stored this value
 */
public record CoordinatorEntry(String key, byte[] value, long revision, Instant created) {

	/**
	 * Creates an entry.
	 * @param key the key
	 * @param value the value
	 * @param revision the revision
	 * @param created when the server stored the value
	 */
	public CoordinatorEntry {
		Objects.requireNonNull(key, "key");
		Objects.requireNonNull(value, "value");
		Objects.requireNonNull(created, "created");
	}

	/**
	 * Reads the value as JSON.
	 * @param <T> the type to read
	 * @param type the type to read
	 * @return the value as an instance of the type
	 * @throws CoordinatorValueException when the value is not JSON of that type
	 */
	public <T> T valueAs(Class<T> type) {
		return JsonValues.read(this.key, this.revision, this.value, type);
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
