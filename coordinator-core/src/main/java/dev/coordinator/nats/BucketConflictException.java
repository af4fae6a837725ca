package dev.coordinator.nats;

import java.util.List;

import dev.coordinator.CoordinatorException;

/**
 * Thrown at start when the KV bucket exists with settings that differ from the configured ones. The bucket
 * is left as it is: either configure the settings it has, or change the bucket with the {@code nats} tool.
 */
public class BucketConflictException extends CoordinatorException {

	private final String bucket;

	private final List<Conflict> conflicts;

	/**
	 * Creates an exception.
	 * @param bucket the bucket's name
	 * @param conflicts the settings that differ
	 */
	public BucketConflictException(String bucket, List<Conflict> conflicts) {
		super("KV bucket '" + bucket + "' exists with settings that differ from the configured ones: "
				+ String.join(", ", conflicts.stream().map(Conflict::toString).toList())
				+ ". The bucket was left unchanged.");
		this.bucket = bucket;
		this.conflicts = List.copyOf(conflicts);
	}

	/**
	 * Returns the bucket's name.
	 * @return the bucket name
	 */
	public String getBucket() {
		return this.bucket;
	}

	/**
	 * Returns the settings that differ.
	 * @return the conflicts
	 */
	public List<Conflict> getConflicts() {
		return this.conflicts;
	}

	/**
	 * One setting that differs.
	 *
	 * @param setting the setting, as named in {@link NatsCoordinatorSettings.Bucket}
	 * @param existing the bucket's value
	 * @param configured the configured value
	 */
	public record Conflict(String setting, String existing, String configured) {

		@Override
		public String toString() {
			return this.setting + " is " + this.existing + " (configured: " + this.configured + ")";
		}

	}

}
