package dev.coordinator.autoconfigure;

import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition of {@link ConditionalOnCoordinatorBackend}: binds {@code coordinator.backend} as the properties
 * do, so that every spelling the properties accept selects the same beans.
 */
class OnCoordinatorBackendCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnCoordinatorBackend.class.getName());
		CoordinatorProperties.Backend required = (CoordinatorProperties.Backend) attributes.get("value");
		CoordinatorProperties.Backend configured = Binder.get(context.getEnvironment())
			.bind("coordinator.backend", CoordinatorProperties.Backend.class)
			.orElse(CoordinatorProperties.Backend.NATS);
		ConditionMessage.Builder message = ConditionMessage.forCondition(ConditionalOnCoordinatorBackend.class, required);
		return (configured == required) ? ConditionOutcome.match(message.because("coordinator.backend is " + configured))
				: ConditionOutcome.noMatch(message.because("coordinator.backend is " + configured));
	}

}
