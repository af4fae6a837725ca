package dev.coordinator.autoconfigure.health;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.env.Environment;

/**
 * Adds the {@link CoordinatorReadinessIndicator} to the {@code readiness} health group that Spring Boot's
 * availability probes create, so that a node is not ready before its initial state is in sync. A readiness
 * group the application configures itself ({@code management.endpoint.health.group.readiness.include}) is left
 * as it is: include {@code coordinatorReadiness} there.
 */
class CoordinatorReadinessGroup implements HealthEndpointGroupsPostProcessor {

	private static final String READINESS = "readiness";

	private final Environment environment;

	CoordinatorReadinessGroup(Environment environment) {
		this.environment = environment;
	}

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		HealthEndpointGroup readiness = groups.get(READINESS);
		if (readiness == null || configuredByTheApplication()) {
			return groups;
		}
		return new WithCoordinatorReadiness(groups, new ReadinessWithCoordinator(readiness));
	}

	private boolean configuredByTheApplication() {
		return Binder.get(this.environment)
			.bind("management.endpoint.health.group.readiness.include", Bindable.setOf(String.class))
			.isBound();
	}

	/**
	 * The groups as they were but for the readiness group; still mapping the groups' additional paths
	 * ({@code /livez}, {@code /readyz}), which Spring Boot's web endpoints ask the groups for.
	 */
	private record WithCoordinatorReadiness(HealthEndpointGroups groups,
			HealthEndpointGroup readiness) implements HealthEndpointGroups, AdditionalPathsMapper {

		@Override
		public HealthEndpointGroup getPrimary() {
			return this.groups.getPrimary();
		}

		@Override
		public Set<String> getNames() {
			return this.groups.getNames();
		}

		@Override
		public @Nullable HealthEndpointGroup get(String name) {
			return READINESS.equals(name) ? this.readiness : this.groups.get(name);
		}

		@Override
		public @Nullable List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace webServerNamespace) {
			return (this.groups instanceof AdditionalPathsMapper mapper)
					? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
		}

	}

	/**
	 * A group with the coordinator's readiness as one more member.
	 */
	private record ReadinessWithCoordinator(HealthEndpointGroup group) implements HealthEndpointGroup {

		@Override
		public boolean isMember(String name) {
			return CoordinatorReadinessIndicator.NAME.equals(name) || this.group.isMember(name);
		}

		@Override
		public boolean showComponents(SecurityContext securityContext) {
			return this.group.showComponents(securityContext);
		}

		@Override
		public boolean showDetails(SecurityContext securityContext) {
			return this.group.showDetails(securityContext);
		}

		@Override
		public StatusAggregator getStatusAggregator() {
			return this.group.getStatusAggregator();
		}

		@Override
		public HttpCodeStatusMapper getHttpCodeStatusMapper() {
			return this.group.getHttpCodeStatusMapper();
		}

		@Override
		public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
			return this.group.getAdditionalPath();
		}

	}

}
