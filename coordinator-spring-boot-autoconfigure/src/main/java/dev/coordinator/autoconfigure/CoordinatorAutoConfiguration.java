package dev.coordinator.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorJsonCodec;
import dev.coordinator.InvalidSettingException;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.json.Jackson3JsonCodec;
import dev.coordinator.listener.CoordinatorErrorHandler;
import dev.coordinator.listener.CoordinatorListenerFactory;
import dev.coordinator.listener.CoordinatorRecoverer;
import dev.coordinator.listener.DefaultCoordinatorErrorHandler;
import dev.coordinator.listener.EventDispatcher;
import dev.coordinator.lock.CoordinatorLockRegistry;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.membership.CoordinatorMembership;
import dev.coordinator.membership.MembershipSettings;
import dev.coordinator.memory.InMemoryCoordinator;
import dev.coordinator.memory.InMemoryRecoverer;
import dev.coordinator.memory.InMemoryStore;
import dev.coordinator.nats.ConnectionStateEvents;
import dev.coordinator.nats.DeadLetterRecoverer;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import dev.coordinator.nats.NatsCoordinatorSettings;
import dev.coordinator.nats.OriginSigner;
import dev.coordinator.nats.OriginVerifier;
import io.nats.client.Connection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Auto-configuration of the {@link Coordinator}: with {@code coordinator.backend=nats} (the default) a NATS
 * connection, a {@link NatsCoordinator} on it and the {@link EventLogContainer} that reads its log; with
 * {@code in-memory} an {@link InMemoryCoordinator} on a store of this JVM, without any server. Membership and
 * locks run on either, or on the application's own {@code Coordinator}, before which every backend bean backs
 * off together (no connection is opened). {@link dev.coordinator.CoordinatorListener @CoordinatorListener}
 * methods are wired in every case, also with {@code coordinator.enabled=false}, so that they keep their prefix
 * and action filtering for the events an application publishes itself. {@link NatsOptionsCustomizer} beans adjust
 * the NATS connection.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnClass({ Connection.class, Coordinator.class })
@EnableConfigurationProperties(CoordinatorProperties.class)
public final class CoordinatorAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(CoordinatorAutoConfiguration.class);

	private static final String JACKSON3_MAPPER = "tools.jackson.databind.json.JsonMapper";

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static CoordinatorListenerFactory coordinatorListenerFactory() {
		return new CoordinatorListenerFactory();
	}

	/**
	 * The key that signs this node's changes, with {@code coordinator.origin.sign}: from
	 * {@code coordinator.origin.seed}, else from {@code coordinator.nats.nkey-seed}.
	 */
	private static @Nullable OriginSigner originSigner(CoordinatorProperties properties, String nodeId) {
		CoordinatorProperties.Origin origin = properties.getOrigin();
		if (!origin.isSign()) {
			return null;
		}
		String property = (origin.getSeed() != null) ? "coordinator.origin.seed" : "coordinator.nats.nkey-seed";
		String seed = (origin.getSeed() != null) ? origin.getSeed() : properties.getNats().getNkeySeed();
		if (seed == null || seed.isBlank()) {
			throw new InvalidConfigurationPropertyValueException("coordinator.origin.sign", true, "Signing changes "
					+ "needs a user NKey seed: set coordinator.origin.seed (or coordinator.nats.nkey-seed, which is used "
					+ "when it is unset), or coordinator.origin.sign=false.");
		}
		try {
			OriginSigner signer = OriginSigner.fromSeed(seed.trim().toCharArray());
			logger.info("Node '{}' signs the changes it writes with NKey {} (from {})", nodeId, signer.publicKey(),
					property);
			return signer;
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(property,
					SecretPropertyFailureAnalyzer.REDACTED, ex.getMessage());
		}
	}

	/**
	 * The verifier of origins, with {@code coordinator.origin.verify} other than {@code none}: it needs the public
	 * keys that only membership records carry.
	 */
	private static @Nullable OriginVerifier originVerifier(NatsCoordinator coordinator,
			CoordinatorProperties properties) {
		CoordinatorProperties.Origin.Verify verify = properties.getOrigin().getVerify();
		if (verify == CoordinatorProperties.Origin.Verify.NONE) {
			return null;
		}
		if (!properties.getMembership().isEnabled()) {
			throw new InvalidConfigurationPropertyValueException("coordinator.origin.verify",
					verify.name().toLowerCase(Locale.ROOT), "Verifying origins needs the members' public keys, which "
							+ "their membership records carry: set coordinator.membership.enabled=true (on every node, "
							+ "with coordinator.origin.sign=true on the writers), or coordinator.origin.verify=none.");
		}
		return new OriginVerifier(coordinator, properties.getMembership().getPrefix(),
				(verify == CoordinatorProperties.Origin.Verify.DROP) ? OriginVerifier.Policy.DROP
						: OriginVerifier.Policy.FLAG);
	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "unknown";
		}
	}

	/**
	 * The JSON codec of either backend: {@code coordinator.json} chooses the library's, or the application has its
	 * own.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "coordinator.enabled", matchIfMissing = true)
	static class JsonCodecConfiguration {

		@Bean
		@ConditionalOnMissingBean
		CoordinatorJsonCodec coordinatorJsonCodec(CoordinatorProperties properties, ResourceLoader resourceLoader) {
			if (properties.getJson() == CoordinatorProperties.JsonLibrary.JACKSON3) {
				if (!ClassUtils.isPresent(JACKSON3_MAPPER, resourceLoader.getClassLoader())) {
					throw new InvalidConfigurationPropertyValueException("coordinator.json", "jackson3",
							"Jackson 3 is not on the classpath: add tools.jackson.core:jackson-databind, or use jackson2.");
				}
				return new Jackson3JsonCodec();
			}
			return new Jackson2JsonCodec();
		}

	}

	/**
	 * The NATS backend: every bean that needs a server, all backing off before the application's own
	 * {@code Coordinator}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "coordinator.enabled", matchIfMissing = true)
	@ConditionalOnCoordinatorBackend(CoordinatorProperties.Backend.NATS)
	@ConditionalOnMissingBean(Coordinator.class)
	static class NatsBackendConfiguration {

		@Bean
		@ConditionalOnMissingBean(CoordinatorConnectionDetails.class)
		PropertiesCoordinatorConnectionDetails coordinatorConnectionDetails(CoordinatorProperties properties,
				ObjectProvider<SslBundles> sslBundles) {
			return new PropertiesCoordinatorConnectionDetails(properties.getNats(), sslBundles.getIfAvailable());
		}

		@Bean
		@ConditionalOnMissingBean
		NatsCoordinatorSettings natsCoordinatorSettings(CoordinatorProperties properties) {
			return settings(properties);
		}

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		Connection natsConnection(CoordinatorProperties properties, CoordinatorConnectionDetails connectionDetails,
				NatsCoordinatorSettings settings, ObjectProvider<NatsOptionsCustomizer> customizers) {
			return NatsConnectionFactory.connect(properties.getNats(), connectionDetails,
					"coordinator-" + settings.nodeId(), customizers.orderedStream().toList());
		}

		@Bean
		NatsCoordinator natsCoordinator(Connection natsConnection, NatsCoordinatorSettings settings,
				CoordinatorProperties properties, CoordinatorJsonCodec jsonCodec) {
			NatsCoordinator coordinator = new NatsCoordinator(natsConnection, settings, jsonCodec);
			coordinator.setOriginSigner(originSigner(properties, settings.nodeId()));
			return coordinator;
		}

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		ConnectionStateEvents coordinatorConnectionStateEvents(Connection natsConnection, NatsCoordinator coordinator,
				ApplicationEventPublisher applicationEventPublisher) {
			return new ConnectionStateEvents(natsConnection, coordinator, applicationEventPublisher);
		}

		@Bean
		@ConditionalOnMissingBean
		DeadLetterRecoverer coordinatorDeadLetterRecoverer(Connection natsConnection, NatsCoordinatorSettings settings,
				ApplicationEventPublisher applicationEventPublisher) {
			return new DeadLetterRecoverer(natsConnection, settings, applicationEventPublisher);
		}

		@Bean
		@ConditionalOnMissingBean
		CoordinatorErrorHandler coordinatorErrorHandler(CoordinatorProperties properties, DeadLetterRecoverer recoverer) {
			return errorHandler(properties, recoverer);
		}

		@Bean
		@ConditionalOnMissingBean
		EventLogContainer coordinatorEventLogContainer(NatsCoordinator coordinator, DeadLetterRecoverer deadLetters,
				CoordinatorErrorHandler errorHandler, CoordinatorListenerFactory listenerFactory,
				ApplicationEventPublisher applicationEventPublisher, CoordinatorProperties properties,
				Environment environment) {
			EventDispatcher dispatcher = new EventDispatcher(applicationEventPublisher, listenerFactory.getRegistry(),
					coordinator.getWatchRegistry(), errorHandler);
			EventLogContainer container = new EventLogContainer(coordinator, dispatcher, deadLetters);
			container.setEphemeralNode(!StringUtils.hasText(properties.getNodeId()));
			container.setOriginVerifier(originVerifier(coordinator, properties));
			if (Threading.VIRTUAL.isActive(environment)) {
				container.setThreadFactory(new VirtualThreadTaskExecutor().getVirtualThreadFactory());
			}
			else if (environment.getProperty("spring.threads.virtual.enabled", Boolean.class, false)) {
				logger.info("spring.threads.virtual.enabled is set, but virtual threads need Java 21 or later (this is "
						+ "Java {}): the coordinator's event reader runs on a platform thread", Runtime.version().feature());
			}
			return container;
		}

	}

	/**
	 * The in-memory backend: no server, the state shared by the coordinators of this JVM that use the same
	 * {@link InMemoryStore} (a bean of that type, e.g. one registered in several contexts, makes them a cluster).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "coordinator.enabled", matchIfMissing = true)
	@ConditionalOnCoordinatorBackend(CoordinatorProperties.Backend.IN_MEMORY)
	@ConditionalOnMissingBean(Coordinator.class)
	static class InMemoryBackendConfiguration {

		@Bean
		@ConditionalOnMissingBean
		InMemoryStore coordinatorInMemoryStore() {
			return new InMemoryStore();
		}

		@Bean
		@ConditionalOnMissingBean
		CoordinatorErrorHandler coordinatorErrorHandler(CoordinatorProperties properties,
				ApplicationEventPublisher applicationEventPublisher) {
			return errorHandler(properties, new InMemoryRecoverer(applicationEventPublisher));
		}

		@Bean
		InMemoryCoordinator inMemoryCoordinator(CoordinatorProperties properties, InMemoryStore store,
				CoordinatorListenerFactory listenerFactory, CoordinatorErrorHandler errorHandler,
				CoordinatorJsonCodec jsonCodec, ApplicationEventPublisher applicationEventPublisher) {
			InMemoryCoordinator coordinator = new InMemoryCoordinator(nodeId(properties), store,
					applicationEventPublisher, listenerFactory.getRegistry(), errorHandler);
			coordinator.setShutdownTimeout(properties.getConsumer().getShutdownTimeout());
			coordinator.setJsonCodec(jsonCodec);
			return coordinator;
		}

	}

	/**
	 * Membership and locks, on whichever {@code Coordinator} the application has.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "coordinator.enabled", matchIfMissing = true)
	static class CoordinationConfiguration {

		@Bean
		@ConditionalOnBooleanProperty("coordinator.membership.enabled")
		@ConditionalOnMissingBean(ClusterMembership.class)
		CoordinatorMembership coordinatorMembership(Coordinator coordinator, CoordinatorProperties properties,
				ApplicationEventPublisher applicationEventPublisher, Environment environment) {
			CoordinatorProperties.Membership membership = properties.getMembership();
			MembershipSettings settings = bind("coordinator.membership", () -> new MembershipSettings(
					membership.getPrefix(), membership.getLeaseTtl(), membership.getHeartbeat(), membership.getMetadata()));
			String host = hostName();
			OriginSigner signer = (coordinator instanceof NatsCoordinator nats) ? nats.getOriginSigner() : null;
			String publicKey = (signer != null) ? signer.publicKey() : null;
			return new CoordinatorMembership(coordinator, settings, applicationEventPublisher,
					() -> CoordinatorMembership.describe(coordinator.nodeId(), host,
							environment.getProperty("local.server.port", Integer.class), settings.metadata(), publicKey));
		}

		@Bean
		@ConditionalOnMissingBean
		CoordinatorLocks coordinatorLocks(Coordinator coordinator, CoordinatorProperties properties,
				ApplicationEventPublisher applicationEventPublisher) {
			return bind("coordinator.locks",
					() -> new CoordinatorLocks(coordinator, properties.getLocks().getPrefix(), applicationEventPublisher));
		}

		/**
		 * Spring Integration's {@code LockRegistry} on the coordinator's locks, when Spring Integration is present.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(LockRegistry.class)
		static class LockRegistryConfiguration {

			@Bean
			@ConditionalOnMissingBean(LockRegistry.class)
			CoordinatorLockRegistry coordinatorLockRegistry(CoordinatorLocks locks, CoordinatorProperties properties) {
				return new CoordinatorLockRegistry(locks, properties.getLocks().getTtl());
			}

		}

	}

	private static CoordinatorErrorHandler errorHandler(CoordinatorProperties properties, CoordinatorRecoverer recoverer) {
		CoordinatorProperties.Listener listener = properties.getListener();
		return bind("coordinator.listener", () -> new DefaultCoordinatorErrorHandler(recoverer,
				listener.getAttempts(), listener.getBackoff(), listener.getMaxBackoff()));
	}

	/**
	 * Returns {@code coordinator.node-id}, or an id generated for this run when it is not set.
	 */
	static String nodeId(CoordinatorProperties properties) {
		String nodeId = properties.getNodeId();
		if (nodeId == null || nodeId.isBlank()) {
			nodeId = "node-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
			logger.info("coordinator.node-id is not set; this node is '{}' until it stops. Set coordinator.node-id to "
					+ "a stable value so that a restarted node receives what it missed.", nodeId);
		}
		requireName("coordinator.node-id", nodeId);
		return nodeId;
	}

	static NatsCoordinatorSettings settings(CoordinatorProperties properties) {
		String nodeId = nodeId(properties);
		requireName("coordinator.namespace", properties.getNamespace());
		CoordinatorProperties.Bucket bucket = properties.getBucket();
		CoordinatorProperties.Consumer consumer = properties.getConsumer();
		CoordinatorProperties.Write write = properties.getWrite();
		CoordinatorProperties.Read read = properties.getRead();
		long maxValueSize = bucket.getMaxValueSize().toBytes();
		return new NatsCoordinatorSettings(nodeId, properties.getNamespace(),
				bind("coordinator.bucket", () -> new NatsCoordinatorSettings.Bucket(bucket.getHistory(),
						bucket.getStorage(), bucket.getReplicas(), (maxValueSize < 0) ? -1 : maxValueSize)),
				bind("coordinator.consumer", () -> new NatsCoordinatorSettings.Consumer(consumer.getAckWait(),
						consumer.getMaxAckPending(), consumer.getInactiveThreshold(), consumer.getBatchSize(),
						consumer.getShutdownTimeout())),
				bind("coordinator.write",
						() -> new NatsCoordinatorSettings.Write(write.getTimeout(), write.getAttempts())),
				bind("coordinator.read",
						() -> new NatsCoordinatorSettings.Read(read.getTimeout(), read.getAttempts())),
				bind("coordinator.dead-letters",
						() -> new NatsCoordinatorSettings.DeadLetters(properties.getDeadLetters().isEnabled(),
								properties.getDeadLetters().getMaxAge(), properties.getDeadLetters().getMaxMessages(),
								properties.getDeadLetters().getMaxBytes().toBytes())));
	}

	private static void requireName(String property, String value) {
		if (!NatsCoordinatorSettings.isValidName(value)) {
			throw new InvalidConfigurationPropertyValueException(property, value,
					"Use 1 to 64 ASCII letters, digits, '-' or '_'.");
		}
	}

	/**
	 * Creates settings from a group of properties; a setting out of range fails naming its property and value.
	 */
	private static <T> T bind(String group, Supplier<T> settings) {
		try {
			return settings.get();
		}
		catch (InvalidSettingException ex) {
			throw new InvalidConfigurationPropertyValueException(group + "." + kebab(ex.getSetting()), ex.getValue(),
					ex.getMessage());
		}
	}

	private static String kebab(String camelCase) {
		return camelCase.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

}
