package dev.coordinator;

/**
 * What a {@link CoordinatorEvent} reports.
 */
public enum CoordinatorAction {

	/** A key was created or given a new value. */
	PUT,

	/** A key was deleted. */
	DELETE

}
