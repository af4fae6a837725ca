package dev.coordinator;

/**
 * Thrown by {@code valueAs} when a stored value cannot be read as the requested type. A listener that throws
 * it is not called again for the event (the value will not change), and the event becomes a dead letter for
 * that listener at once.
 */
public class CoordinatorValueException extends IllegalArgumentException {

	/**
	 * Creates an exception.
	 * @param message which key, revision and type
	 * @param cause the JSON library's exception
	 */
	public CoordinatorValueException(String message, Throwable cause) {
		super(message, cause);
	}

}
