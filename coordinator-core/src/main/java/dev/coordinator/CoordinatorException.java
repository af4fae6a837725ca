package dev.coordinator;

/**
 * Thrown when the coordination server did not carry out an operation: it was unreachable, did not
 * confirm a write in time, or refused it. The message names the operation and the key.
 */
public class CoordinatorException extends RuntimeException {

	/**
	 * Creates an exception.
	 * @param message what failed and, where known, what to do about it
	 * @param cause the client library's exception
	 */
	public CoordinatorException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Creates an exception.
	 * @param message what failed and, where known, what to do about it
	 */
	public CoordinatorException(String message) {
		super(message);
	}

}
