package dev.coordinator.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;

import io.nats.client.api.StorageType;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of the coordinator.
 */
@ConfigurationProperties("coordinator")
public class CoordinatorProperties {

	/**
	 * Whether to enable the coordinator.
	 */
	private boolean enabled = true;

	/**
	 * Where the shared state lives: 'nats' (a NATS JetStream server) or 'in-memory' (this JVM only, no server;
	 * for tests and single-process applications).
	 */
	private Backend backend = Backend.NATS;

	/**
	 * Id of this node: 1 to 64 ASCII letters, digits, '-' or '_'. A stable id lets a restarted node resume
	 * where it left off; when unset, a random id is generated at each start.
	 */
	private @Nullable String nodeId;

	/**
	 * Namespace of the coordinated nodes. Names the KV bucket, its stream and the consumers, so that
	 * several applications can share one NATS server.
	 */
	private String namespace = "coordinator";

	/**
	 * JSON library of putJson, valueAs and the coordinator's own records: 'jackson2', or 'jackson3' when Jackson 3
	 * is on the classpath. Both write the same JSON, whatever the application's own ObjectMapper customizations,
	 * so nodes of one cluster may differ.
	 */
	private JsonLibrary json = JsonLibrary.JACKSON2;

	/**
	 * Whether to observe writes and listener calls with Micrometer Observation (traces and timers) when an
	 * ObservationRegistry bean exists.
	 */
	private boolean observationEnabled = true;

	private final Nats nats = new Nats();

	private final Bucket bucket = new Bucket();

	private final Consumer consumer = new Consumer();

	private final Write write = new Write();

	private final Read read = new Read();

	private final Listener listener = new Listener();

	private final DeadLetters deadLetters = new DeadLetters();

	private final Membership membership = new Membership();

	private final Locks locks = new Locks();

	private final Health health = new Health();

	private final Origin origin = new Origin();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Backend getBackend() {
		return this.backend;
	}

	public void setBackend(Backend backend) {
		this.backend = backend;
	}

	public @Nullable String getNodeId() {
		return this.nodeId;
	}

	public void setNodeId(@Nullable String nodeId) {
		this.nodeId = nodeId;
	}

	public String getNamespace() {
		return this.namespace;
	}

	public void setNamespace(String namespace) {
		this.namespace = namespace;
	}

	public JsonLibrary getJson() {
		return this.json;
	}

	public void setJson(JsonLibrary json) {
		this.json = json;
	}

	public boolean isObservationEnabled() {
		return this.observationEnabled;
	}

	public void setObservationEnabled(boolean observationEnabled) {
		this.observationEnabled = observationEnabled;
	}

	public Nats getNats() {
		return this.nats;
	}

	public Bucket getBucket() {
		return this.bucket;
	}

	public Consumer getConsumer() {
		return this.consumer;
	}

	public Write getWrite() {
		return this.write;
	}

	public Read getRead() {
		return this.read;
	}

	public Listener getListener() {
		return this.listener;
	}

	public DeadLetters getDeadLetters() {
		return this.deadLetters;
	}

	public Membership getMembership() {
		return this.membership;
	}

	public Locks getLocks() {
		return this.locks;
	}

	public Health getHealth() {
		return this.health;
	}

	public Origin getOrigin() {
		return this.origin;
	}

	/**
	 * Where the coordinator keeps its shared state.
	 */
	public enum Backend {

		/**
		 * A NATS JetStream key-value bucket, shared by every node connected to the servers.
		 */
		NATS,

		/**
		 * A store in this JVM, shared by the coordinators of this JVM only: no server, no durability.
		 */
		IN_MEMORY

	}

	/**
	 * Connection to the NATS servers.
	 */
	public static class Nats {

		/**
		 * URLs of the NATS servers to connect to.
		 */
		private List<String> servers = new ArrayList<>(List.of("nats://localhost:4222"));

		/**
		 * Name of the connection as the server shows it. Defaults to 'coordinator-' followed by the node id.
		 */
		private @Nullable String connectionName;

		/**
		 * Time to wait for a connection to be established.
		 */
		private Duration connectionTimeout = Duration.ofSeconds(2);

		/**
		 * Time to wait between reconnect attempts to the same server.
		 */
		private Duration reconnectWait = Duration.ofSeconds(2);

		/**
		 * Reconnect attempts after a lost connection before giving up, or -1 to keep trying as long as the
		 * application runs.
		 */
		private int maxReconnects = -1;

		/**
		 * Time between pings to the server. Two unanswered pings mark the connection as stale and trigger
		 * a reconnect.
		 */
		private Duration pingInterval = Duration.ofSeconds(10);

		/**
		 * Login user of the server.
		 */
		private @Nullable String username;

		/**
		 * Login password of the server.
		 */
		private @Nullable String password;

		/**
		 * Authentication token of the server.
		 */
		private @Nullable String token;

		/**
		 * Seed of the NKey to log in with (a user seed, starting with 'SU'); the server knows its public key.
		 */
		private @Nullable String nkeySeed;

		/**
		 * Credentials file (user JWT and NKey seed, as 'nsc' writes them) to log in with on a server in operator
		 * mode. Read at every connect, so a file replaced on disk is used from the next reconnect on.
		 */
		private @Nullable Path credentials;

		private final Ssl ssl = new Ssl();

		/**
		 * Subject prefix of this connection's reply subjects (inboxes). A prefix of its own per node, e.g.
		 * '_INBOX_node-1', lets the server's permissions keep every other node from reading its replies and
		 * deliveries.
		 */
		private String inboxPrefix = "_INBOX";

		public List<String> getServers() {
			return this.servers;
		}

		public void setServers(List<String> servers) {
			this.servers = servers;
		}

		public @Nullable String getConnectionName() {
			return this.connectionName;
		}

		public void setConnectionName(@Nullable String connectionName) {
			this.connectionName = connectionName;
		}

		public Duration getConnectionTimeout() {
			return this.connectionTimeout;
		}

		public void setConnectionTimeout(Duration connectionTimeout) {
			this.connectionTimeout = connectionTimeout;
		}

		public Duration getReconnectWait() {
			return this.reconnectWait;
		}

		public void setReconnectWait(Duration reconnectWait) {
			this.reconnectWait = reconnectWait;
		}

		public int getMaxReconnects() {
			return this.maxReconnects;
		}

		public void setMaxReconnects(int maxReconnects) {
			this.maxReconnects = maxReconnects;
		}

		public Duration getPingInterval() {
			return this.pingInterval;
		}

		public void setPingInterval(Duration pingInterval) {
			this.pingInterval = pingInterval;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public @Nullable String getToken() {
			return this.token;
		}

		public void setToken(@Nullable String token) {
			this.token = token;
		}

		public @Nullable String getNkeySeed() {
			return this.nkeySeed;
		}

		public void setNkeySeed(@Nullable String nkeySeed) {
			this.nkeySeed = nkeySeed;
		}

		public @Nullable Path getCredentials() {
			return this.credentials;
		}

		public void setCredentials(@Nullable Path credentials) {
			this.credentials = credentials;
		}

		public String getInboxPrefix() {
			return this.inboxPrefix;
		}

		public void setInboxPrefix(String inboxPrefix) {
			this.inboxPrefix = inboxPrefix;
		}

		public Ssl getSsl() {
			return this.ssl;
		}

		/**
		 * TLS towards the NATS servers. The server certificate's host name is always verified, also for the
		 * servers a cluster advertises.
		 */
		public static class Ssl {

			/**
			 * Name of the SSL bundle (spring.ssl.bundle.*) with the certificates to trust and, for mutual TLS,
			 * the client's key and certificate. Connections then always use TLS. Without it, 'tls://' server
			 * URLs use the JVM's default trust store.
			 */
			private @Nullable String bundle;

			public @Nullable String getBundle() {
				return this.bundle;
			}

			public void setBundle(@Nullable String bundle) {
				this.bundle = bundle;
			}

		}

	}

	/**
	 * KV bucket that holds the state. Used to create the bucket; an existing bucket with other settings is
	 * reported at start and left unchanged.
	 */
	public static class Bucket {

		/**
		 * Revisions kept per key, 1 to 64. A node that reads slower than a key is written may skip the
		 * revisions that history no longer holds; it always receives the latest.
		 */
		private int history = 1;

		/**
		 * Where the server stores the bucket.
		 */
		private StorageType storage = StorageType.File;

		/**
		 * Copies of the bucket kept by a JetStream cluster, 1 to 5.
		 */
		private int replicas = 1;

		/**
		 * Largest value accepted, or -1 for the server's limit.
		 */
		private DataSize maxValueSize = DataSize.ofMegabytes(1);

		public int getHistory() {
			return this.history;
		}

		public void setHistory(int history) {
			this.history = history;
		}

		public StorageType getStorage() {
			return this.storage;
		}

		public void setStorage(StorageType storage) {
			this.storage = storage;
		}

		public int getReplicas() {
			return this.replicas;
		}

		public void setReplicas(int replicas) {
			this.replicas = replicas;
		}

		public DataSize getMaxValueSize() {
			return this.maxValueSize;
		}

		public void setMaxValueSize(DataSize maxValueSize) {
			this.maxValueSize = maxValueSize;
		}

	}

	/**
	 * This node's durable consumer of the event log.
	 */
	public static class Consumer {

		/**
		 * Time the server waits for an event to be acknowledged before delivering it again. Longer than the
		 * slowest listener takes.
		 */
		private Duration ackWait = Duration.ofSeconds(30);

		/**
		 * Events delivered to this node and not yet acknowledged, at most.
		 */
		private int maxAckPending = 1000;

		/**
		 * Time the server keeps the consumer of a node that is gone. A node restarted within it with the same
		 * node id receives what it missed.
		 */
		private Duration inactiveThreshold = Duration.ofHours(1);

		/**
		 * Events fetched per pull request.
		 */
		private int batchSize = 256;

		/**
		 * Time that stopping waits for events already received to be delivered to listeners.
		 */
		private Duration shutdownTimeout = Duration.ofSeconds(10);

		public Duration getAckWait() {
			return this.ackWait;
		}

		public void setAckWait(Duration ackWait) {
			this.ackWait = ackWait;
		}

		public int getMaxAckPending() {
			return this.maxAckPending;
		}

		public void setMaxAckPending(int maxAckPending) {
			this.maxAckPending = maxAckPending;
		}

		public Duration getInactiveThreshold() {
			return this.inactiveThreshold;
		}

		public void setInactiveThreshold(Duration inactiveThreshold) {
			this.inactiveThreshold = inactiveThreshold;
		}

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

		public Duration getShutdownTimeout() {
			return this.shutdownTimeout;
		}

		public void setShutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
		}

	}

	/**
	 * Writes.
	 */
	public static class Write {

		/**
		 * Time a write waits for the server's acknowledgement, per attempt.
		 */
		private Duration timeout = Duration.ofSeconds(5);

		/**
		 * Attempts of a write whose acknowledgement did not arrive. A write sent again is stored once.
		 */
		private int attempts = 3;

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getAttempts() {
			return this.attempts;
		}

		public void setAttempts(int attempts) {
			this.attempts = attempts;
		}

	}

	/**
	 * Reads: get, keys, list, and the reads of the event reader.
	 */
	public static class Read {

		/**
		 * Time a read waits for the server's answer, per attempt. A listing fails only when no entry arrived for
		 * this long, however long the whole listing takes; each further attempt of a listing waits twice as long
		 * as the one before (up to 16 times this), as the server takes seconds to start listing a million keys.
		 */
		private Duration timeout = Duration.ofSeconds(5);

		/**
		 * Attempts of a read that got no answer.
		 */
		private int attempts = 3;

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getAttempts() {
			return this.attempts;
		}

		public void setAttempts(int attempts) {
			this.attempts = attempts;
		}

	}

	/**
	 * Retries of listeners that throw. Retries run before the next event, so events of a key keep their order.
	 */
	public static class Listener {

		/**
		 * Calls of a failing listener per event; after the last one the event is a dead letter for it.
		 */
		private int attempts = 3;

		/**
		 * Wait after the first failed call; doubled after each further one.
		 */
		private Duration backoff = Duration.ofMillis(100);

		/**
		 * Longest wait between two calls.
		 */
		private Duration maxBackoff = Duration.ofSeconds(1);

		public int getAttempts() {
			return this.attempts;
		}

		public void setAttempts(int attempts) {
			this.attempts = attempts;
		}

		public Duration getBackoff() {
			return this.backoff;
		}

		public void setBackoff(Duration backoff) {
			this.backoff = backoff;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

	}

	/**
	 * Recording of dead letters in the stream {@code <namespace>_dead_letters}.
	 */
	public static class DeadLetters {

		/**
		 * Whether to record dead letters in the stream; they are logged either way.
		 */
		private boolean enabled = true;

		/**
		 * How long the stream keeps a dead letter.
		 */
		private Duration maxAge = Duration.ofDays(7);

		/**
		 * Dead letters the stream keeps at most; the oldest are dropped first.
		 */
		private long maxMessages = 10_000;

		/**
		 * Size of the stream at most; the oldest dead letters are dropped first.
		 */
		private DataSize maxBytes = DataSize.ofMegabytes(64);

		public boolean isEnabled() {
			return this.enabled;
		}

		public long getMaxMessages() {
			return this.maxMessages;
		}

		public void setMaxMessages(long maxMessages) {
			this.maxMessages = maxMessages;
		}

		public DataSize getMaxBytes() {
			return this.maxBytes;
		}

		public void setMaxBytes(DataSize maxBytes) {
			this.maxBytes = maxBytes;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
		}

	}

	/**
	 * Cluster membership: a record per node under a prefix, renewed while the node runs and removed by the other
	 * nodes when it stops renewing it.
	 */
	public static class Membership {

		/**
		 * Whether this node registers as a member and takes part in failure detection.
		 */
		private boolean enabled;

		/**
		 * Key prefix of the members' records.
		 */
		private String prefix = "/nodes/";

		/**
		 * Time a member may go without renewing its record before the other nodes remove it.
		 */
		private Duration leaseTtl = Duration.ofSeconds(10);

		/**
		 * Interval of renewals, and of the look for expired members; at most half the lease ttl.
		 */
		private Duration heartbeat = Duration.ofSeconds(3);

		/**
		 * What this node says about itself in its record.
		 */
		private Map<String, String> metadata = new LinkedHashMap<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getPrefix() {
			return this.prefix;
		}

		public void setPrefix(String prefix) {
			this.prefix = prefix;
		}

		public Duration getLeaseTtl() {
			return this.leaseTtl;
		}

		public void setLeaseTtl(Duration leaseTtl) {
			this.leaseTtl = leaseTtl;
		}

		public Duration getHeartbeat() {
			return this.heartbeat;
		}

		public void setHeartbeat(Duration heartbeat) {
			this.heartbeat = heartbeat;
		}

		public Map<String, String> getMetadata() {
			return this.metadata;
		}

		public void setMetadata(Map<String, String> metadata) {
			this.metadata = metadata;
		}

	}

	/**
	 * Distributed locks and leader election.
	 */
	public static class Locks {

		/**
		 * Key prefix of the lock records.
		 */
		private String prefix = "/locks/";

		/**
		 * Time a lock of the Spring Integration lock registry stays held after its holder's last renewal.
		 */
		private Duration ttl = Duration.ofSeconds(10);

		public String getPrefix() {
			return this.prefix;
		}

		public void setPrefix(String prefix) {
			this.prefix = prefix;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

	}

	/**
	 * The coordinator's health indicator (with Spring Boot's health support on the classpath).
	 */
	public static class Health {

		/**
		 * Log revisions this node may be behind before its health is down.
		 */
		private long maxLag = 10_000;

		public long getMaxLag() {
			return this.maxLag;
		}

		public void setMaxLag(long maxLag) {
			this.maxLag = maxLag;
		}

	}

	/**
	 * Signed origins of changes: without them, a change's origin is what its writer claimed.
	 */
	public static class Origin {

		/**
		 * Whether this node signs every change it writes with its NKey, so that receivers can verify its origin.
		 */
		private boolean sign;

		/**
		 * Seed of the user NKey that signs this node's changes (starting with 'SU'); when unset,
		 * coordinator.nats.nkey-seed is used. A secret: it is never logged.
		 */
		private @Nullable String seed;

		/**
		 * What to do with the origins of received changes: 'none' to not check them, 'flag' to deliver every change
		 * with its verification, 'drop' to deliver only changes signed by the member they name. Needs membership.
		 */
		private Verify verify = Verify.NONE;

		public boolean isSign() {
			return this.sign;
		}

		public void setSign(boolean sign) {
			this.sign = sign;
		}

		public @Nullable String getSeed() {
			return this.seed;
		}

		public void setSeed(@Nullable String seed) {
			this.seed = seed;
		}

		public Verify getVerify() {
			return this.verify;
		}

		public void setVerify(Verify verify) {
			this.verify = verify;
		}

		/**
		 * What a node does with the origins of the changes it receives.
		 */
		public enum Verify {

			/** Origins are not checked. */
			NONE,

			/** Every change is delivered with what the check found. */
			FLAG,

			/** Only changes signed by the member they name are delivered; the others are counted and logged. */
			DROP

		}

	}

	/**
	 * JSON libraries the coordinator's codec can use.
	 */
	public enum JsonLibrary {

		/**
		 * Jackson 2 ({@code com.fasterxml.jackson.core:jackson-databind}).
		 */
		JACKSON2,

		/**
		 * Jackson 3 ({@code tools.jackson.core:jackson-databind}).
		 */
		JACKSON3

	}

}
