package dev.coordinator;

/**
 * Handle of a {@link Coordinator#watch watch}: closing it stops delivery to its handler and releases
 * everything the watch held. Closing twice is harmless.
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {

	/**
	 * Stops delivery to the handler. An event being delivered when this is called finishes.
	 */
	@Override
	void close();

}
