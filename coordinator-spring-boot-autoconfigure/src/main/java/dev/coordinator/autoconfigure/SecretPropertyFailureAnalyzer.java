package dev.coordinator.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Explains an invalid secret property (an NKey seed) without its value. Spring Boot's own analyzer of
 * {@link InvalidConfigurationPropertyValueException} prints the value it finds in the environment, so this one
 * comes first and takes the failures whose value the coordinator redacted.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecretPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationPropertyValueException> {

	/** What the coordinator puts in place of a secret value. */
	static final String REDACTED = "******";

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationPropertyValueException cause) {
		if (!REDACTED.equals(cause.getValue())) {
			return null;
		}
		return new FailureAnalysis("Invalid value for configuration property '" + cause.getName()
				+ "' (not shown: it is a secret): " + cause.getReason(),
				"Set " + cause.getName() + " to a valid value; check where it comes from (environment variables, "
						+ "application properties, a secrets mount).",
				cause);
	}

}
