package dev.coordinator.autoconfigure;

import java.nio.file.Path;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.StringUtils;

/**
 * {@link CoordinatorConnectionDetails} from {@code coordinator.nats.*} properties.
 */
class PropertiesCoordinatorConnectionDetails implements CoordinatorConnectionDetails {

	private final CoordinatorProperties.Nats properties;

	private final @Nullable SslBundles sslBundles;

	PropertiesCoordinatorConnectionDetails(CoordinatorProperties.Nats properties, @Nullable SslBundles sslBundles) {
		this.properties = properties;
		this.sslBundles = sslBundles;
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

	@Override
	public @Nullable String getNkeySeed() {
		return this.properties.getNkeySeed();
	}

	@Override
	public @Nullable Path getCredentials() {
		return this.properties.getCredentials();
	}

	@Override
	public @Nullable SslBundle getSslBundle() {
		String name = this.properties.getSsl().getBundle();
		if (!StringUtils.hasText(name)) {
			return null;
		}
		if (this.sslBundles == null) {
			throw new InvalidConfigurationPropertyValueException("coordinator.nats.ssl.bundle", name,
					"No SSL bundles are configured in this application: define it under spring.ssl.bundle.pem." + name
							+ " or spring.ssl.bundle.jks." + name + ".");
		}
		try {
			return this.sslBundles.getBundle(name);
		}
		catch (NoSuchSslBundleException ex) {
			throw new InvalidConfigurationPropertyValueException("coordinator.nats.ssl.bundle", name,
					"No SSL bundle has this name (known: " + this.sslBundles.getBundleNames()
							+ "): define it under spring.ssl.bundle.pem." + name + " or spring.ssl.bundle.jks." + name
							+ ".");
		}
	}

}
