package dev.coordinator;

import java.util.OptionalLong;

/**
 * Thrown when a compare-and-set write did not find the key as it expected: {@link Coordinator#create create}
 * found the key present, {@link Coordinator#update update} or a conditional {@link Coordinator#delete(String, long)
 * delete} found another revision or no key. Nothing was written; read the key again and decide.
 */
public class CoordinatorConflictException extends CoordinatorException {

	private final String key;

	private final OptionalLong currentRevision;

	/**
	 * Creates an exception.
	 * @param key the key
	 * @param expected what the write expected, e.g. "absent" or "revision 7"
	 * @param currentRevision the key's current revision, or empty when it is absent
	 */
	public CoordinatorConflictException(String key, String expected, OptionalLong currentRevision) {
		super("Key '" + key + "' is " + describe(currentRevision) + ", not " + expected
				+ "; nothing was written. Read it again and retry if the write still applies.");
		this.key = key;
		this.currentRevision = currentRevision;
	}

	/**
	 * Returns the key.
	 * @return the key
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * Returns the key's revision when the write was refused.
	 * @return the revision, or empty when the key was absent
	 */
	public OptionalLong getCurrentRevision() {
		return this.currentRevision;
	}

	private static String describe(OptionalLong revision) {
		return revision.isPresent() ? "at revision " + revision.getAsLong() : "absent";
	}

}
