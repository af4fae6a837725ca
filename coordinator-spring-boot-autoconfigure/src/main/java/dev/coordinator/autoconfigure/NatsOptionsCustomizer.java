package dev.coordinator.autoconfigure;

import io.nats.client.Options;

/**
 * Adjusts the options of the coordinator's NATS connection. Beans of this type are applied in order, after
 * the {@code coordinator.nats.*} properties and connection details, so they have the last word: use them for
 * what the properties do not cover (e.g. an {@link io.nats.client.AuthHandler} that fetches credentials from a
 * vault, or inbox prefixes).
 */
@FunctionalInterface
public interface NatsOptionsCustomizer {

	/**
	 * Customizes the options.
	 * @param builder the builder of the connection's options
	 */
	void customize(Options.Builder builder);

}
