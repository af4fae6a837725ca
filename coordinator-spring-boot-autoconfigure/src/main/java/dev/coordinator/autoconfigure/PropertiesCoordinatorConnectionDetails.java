package dev.coordinator.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * {@link CoordinatorConnectionDetails} from {@code coordinator.nats.*} properties.
 */
class PropertiesCoordinatorConnectionDetails implements CoordinatorConnectionDetails {

	private final CoordinatorProperties.Nats properties;

	PropertiesCoordinatorConnectionDetails(CoordinatorProperties.Nats properties) {
		this.properties = properties;
	}

	@Override
	public List<String> getServers() {
		return this.properties.getServers();
	}

	@Override
	public @Nullable String getUsername() {
		return this.properties.getUsername();
	}

	@Override
	public @Nullable String getPassword() {
		return this.properties.getPassword();
	}

	@Override
	public @Nullable String getToken() {
		return this.properties.getToken();
	}

}
