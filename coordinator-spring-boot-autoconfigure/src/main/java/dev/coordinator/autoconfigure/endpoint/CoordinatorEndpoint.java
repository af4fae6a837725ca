package dev.coordinator.autoconfigure.endpoint;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.autoconfigure.NatsConnectionFactory;
import dev.coordinator.listener.CoordinatorListenerMethodAdapter;
import dev.coordinator.listener.CoordinatorListenerRegistry;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.lock.LockHolder;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.membership.Member;
import dev.coordinator.nats.DeadLetterRecoverer;
import dev.coordinator.nats.DeliveryStatistics;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import dev.coordinator.nats.NatsCoordinatorSettings;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.ServerInfo;
import io.nats.client.api.StreamState;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.util.ClassUtils;

/**
 * {@link Endpoint @Endpoint} {@code coordinator}: what this node's coordinator is and does, read-only. The
 * parts held by the node (its listeners, watches, event reader, recent dead letters, the members it knows)
 * come from memory; the parts held by the server (bucket, stream, this node's consumer, the dead-letter
 * stream, lock holders) are read at request time, each in one attempt that waits at most the read timeout. A
 * part the server does not give has an {@code error} instead of its figures; once a request went unanswered,
 * or while the connection is down, the rest are not even sent, so the endpoint always answers promptly. Server
 * URLs are shown without credentials, and no password, token or value appears.
 */
@Endpoint(id = "coordinator")
public class CoordinatorEndpoint {

	private final NatsCoordinator coordinator;

	private final EventLogContainer container;

	private final CoordinatorListenerRegistry listeners;

	private final DeadLetterRecoverer deadLetters;

	private final List<String> servers;

	private final @Nullable ClusterMembership membership;

	private final @Nullable CoordinatorLocks locks;

	private final Duration timeout;

	/**
	 * Creates an endpoint.
	 * @param coordinator the coordinator
	 * @param container its event reader
	 * @param listeners the {@code @CoordinatorListener} methods
	 * @param deadLetters the recorder of dead letters
	 * @param servers the configured server URLs (shown without their credentials)
	 * @param membership the membership, or {@code null} when this node takes no part in it
	 * @param locks the locks, or {@code null} when there are none
	 * @param timeout how long each request to the server may take
	 */
	public CoordinatorEndpoint(NatsCoordinator coordinator, EventLogContainer container,
			CoordinatorListenerRegistry listeners, DeadLetterRecoverer deadLetters, List<String> servers,
			@Nullable ClusterMembership membership, @Nullable CoordinatorLocks locks, Duration timeout) {
		this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
		this.container = Objects.requireNonNull(container, "container");
		this.listeners = Objects.requireNonNull(listeners, "listeners");
		this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
		this.servers = servers.stream().map(NatsConnectionFactory::redact).toList();
		this.membership = membership;
		this.locks = locks;
		this.timeout = Objects.requireNonNull(timeout, "timeout");
	}

	/**
	 * Describes this node's coordinator.
	 * @return the description
	 */
	@ReadOperation
	public CoordinatorDescriptor coordinator() {
		NatsCoordinatorSettings settings = this.coordinator.getSettings();
		Connection connection = this.coordinator.getConnection();
		ServerReads server = new ServerReads(connection);
		JetStreamOptions options = JetStreamOptions.builder().requestTimeout(this.timeout).build();
		Outcome<KeyValueStatus> status = server.read(() -> connection
			.keyValueManagement(KeyValueOptions.builder().jetStreamOptions(options).build())
			.getStatus(settings.bucketName()));
		Outcome<ConsumerInfo> consumer = server.read(() -> connection.jetStreamManagement(options)
			.getConsumerInfo(settings.streamName(), settings.durableName()));
		Outcome<Long> deadLettersStored = settings.deadLetters().enabled()
				? server.read(() -> deadLettersStored(connection.jetStreamManagement(options), settings))
				: Outcome.failed("recording is disabled (coordinator.dead-letters.enabled=false)");
		return new CoordinatorDescriptor(settings.nodeId(), settings.namespace(), connection(connection),
				bucket(settings, status), stream(settings, status), consumer(settings, consumer), reader(),
				listeners(), watches(), deadLetters(settings, deadLettersStored), membership(), locks(server));
	}

	private ConnectionDescriptor connection(Connection connection) {
		ServerInfo info = connection.getServerInfo();
		String connectedUrl = connection.getConnectedUrl();
		return new ConnectionDescriptor(connection.getStatus().name(), this.servers,
				(connectedUrl != null) ? NatsConnectionFactory.redact(connectedUrl) : null,
				(info != null) ? info.getVersion() : null);
	}

	private static BucketDescriptor bucket(NatsCoordinatorSettings settings, Outcome<KeyValueStatus> outcome) {
		KeyValueStatus status = outcome.value();
		if (status == null) {
			return new BucketDescriptor(settings.bucketName(), null, null, null, null, null, null, outcome.error());
		}
		return new BucketDescriptor(settings.bucketName(), status.getEntryCount(), status.getByteCount(),
				status.getMaxHistoryPerKey(), status.getTtl().toString(), status.getReplicas(),
				status.getStorageType().name(), null);
	}

	private static StreamDescriptor stream(NatsCoordinatorSettings settings, Outcome<KeyValueStatus> outcome) {
		KeyValueStatus status = outcome.value();
		if (status == null) {
			return new StreamDescriptor(settings.streamName(), null, null, null, null, outcome.error());
		}
		StreamState state = status.getBackingStreamInfo().getStreamState();
		return new StreamDescriptor(settings.streamName(), state.getFirstSequence(), state.getLastSequence(),
				state.getMsgCount(), state.getByteCount(), null);
	}

	private static ConsumerDescriptor consumer(NatsCoordinatorSettings settings, Outcome<ConsumerInfo> outcome) {
		ConsumerInfo info = outcome.value();
		if (info == null) {
			return new ConsumerDescriptor(settings.durableName(), null, null, null, null, null, outcome.error());
		}
		return new ConsumerDescriptor(settings.durableName(), info.getDelivered().getStreamSequence(),
				info.getAckFloor().getStreamSequence(), info.getNumPending(), info.getNumAckPending(),
				info.getRedelivered(), null);
	}

	private static long deadLettersStored(JetStreamManagement management, NatsCoordinatorSettings settings)
			throws IOException, JetStreamApiException {
		return management.getStreamInfo(settings.deadLetterStreamName()).getStreamState().getMsgCount();
	}

	private ReaderDescriptor reader() {
		return new ReaderDescriptor(this.container.isRunning(), this.container.isSynced(),
				this.container.lastProcessedRevision(), this.container.pending(), this.container.statistics());
	}

	private List<ListenerDescriptor> listeners() {
		List<ListenerDescriptor> described = new ArrayList<>();
		for (CoordinatorListenerMethodAdapter listener : this.listeners.listeners()) {
			described.add(new ListenerDescriptor(listener.getListenerId(), listener.getBeanName(),
					ClassUtils.getQualifiedMethodName(listener.getMethod()), listener.getPrefix(),
					List.copyOf(listener.getActions()), listener.isInitialState()));
		}
		return described;
	}

	private List<WatchDescriptor> watches() {
		return this.coordinator.getWatchRegistry()
			.registrationsByPrefix()
			.entrySet()
			.stream()
			.map((watch) -> new WatchDescriptor(watch.getKey(), watch.getValue()))
			.toList();
	}

	private DeadLettersDescriptor deadLetters(NatsCoordinatorSettings settings, Outcome<Long> stored) {
		List<DeadLetterDescriptor> recent = this.deadLetters.recent()
			.stream()
			.map((deadLetter) -> new DeadLetterDescriptor(deadLetter.key(), deadLetter.revision(),
					deadLetter.listener(), deadLetter.reason(), deadLetter.recordedAt()))
			.toList();
		return new DeadLettersDescriptor(settings.deadLetterStreamName(), stored.value(), stored.error(),
				this.deadLetters.recovered(), recent);
	}

	private MembershipDescriptor membership() {
		ClusterMembership current = this.membership;
		if (current == null) {
			return new MembershipDescriptor(false, List.of());
		}
		List<MemberDescriptor> members = current.members()
			.values()
			.stream()
			.sorted((a, b) -> a.nodeId().compareTo(b.nodeId()))
			.map(MemberDescriptor::new)
			.toList();
		return new MembershipDescriptor(true, members);
	}

	private LocksDescriptor locks(ServerReads server) {
		CoordinatorLocks current = this.locks;
		if (current == null) {
			return new LocksDescriptor(null, List.of(), null);
		}
		Outcome<List<CoordinatorEntry>> listed = server
			.read(() -> this.coordinator.list(current.getPrefix(), this.timeout));
		List<CoordinatorEntry> entries = listed.value();
		if (entries == null) {
			return new LocksDescriptor(current.getPrefix(), List.of(), listed.error());
		}
		List<LockDescriptor> holders = new ArrayList<>();
		for (CoordinatorEntry entry : entries) {
			current.holder(entry).map(LockDescriptor::new).ifPresent(holders::add);
		}
		return new LocksDescriptor(current.getPrefix(), holders, null);
	}

	/**
	 * The requests of one description to the server: none while the connection is down, and none after one
	 * went unanswered.
	 */
	private static final class ServerReads {

		private @Nullable String unavailable;

		ServerReads(Connection connection) {
			Connection.Status status = connection.getStatus();
			if (status != Connection.Status.CONNECTED) {
				this.unavailable = "not read: the NATS connection is " + status;
			}
		}

		<T> Outcome<T> read(Read<T> read) {
			String skipped = this.unavailable;
			if (skipped != null) {
				return Outcome.failed(skipped);
			}
			try {
				return new Outcome<>(read.run(), null);
			}
			catch (JetStreamApiException ex) {
				return Outcome.failed("the server refused: " + ex.getMessage());
			}
			catch (IOException ex) {
				this.unavailable = "not read: the server did not answer an earlier request";
				return Outcome.failed("the server did not answer: " + ex.getMessage());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.unavailable = "not read: interrupted";
				return Outcome.failed("interrupted");
			}
			catch (RuntimeException ex) {
				this.unavailable = "not read: an earlier request failed";
				return Outcome.failed(ex.getMessage());
			}
		}

	}

	/**
	 * A request to the server.
	 */
	@FunctionalInterface
	private interface Read<T> {

		T run() throws IOException, JetStreamApiException, InterruptedException;

	}

	/**
	 * What the server gave, or why not.
	 */
	private record Outcome<T>(@Nullable T value, @Nullable String error) {

		static <T> Outcome<T> failed(@Nullable String error) {
			return new Outcome<>(null, (error != null) ? error : "failed without a message");
		}

	}

	/**
	 * Description of a node's coordinator.
	 *
	 * @param nodeId id of this node
	 * @param namespace namespace of the coordinated nodes
	 * @param connection the NATS connection
	 * @param bucket the KV bucket, read from the server
	 * @param stream the bucket's stream (the event log), read from the server
	 * @param consumer this node's durable consumer of the log, read from the server
	 * @param reader this node's event reader
	 * @param listeners the {@code @CoordinatorListener} methods, in the order they are called
	 * @param watches the {@code watch(prefix, handler)} registrations
	 * @param deadLetters recent dead letters of this node
	 * @param membership the members this node knows
	 * @param locks the holders of the locks, read from the server
	 */
	public record CoordinatorDescriptor(String nodeId, String namespace, ConnectionDescriptor connection,
			BucketDescriptor bucket, StreamDescriptor stream, ConsumerDescriptor consumer, ReaderDescriptor reader,
			List<ListenerDescriptor> listeners, List<WatchDescriptor> watches, DeadLettersDescriptor deadLetters,
			MembershipDescriptor membership, LocksDescriptor locks) implements OperationResponseBody {
	}

	/**
	 * Description of the NATS connection.
	 *
	 * @param status the connection's status, e.g. {@code CONNECTED} or {@code RECONNECTING}
	 * @param servers the configured server URLs, without credentials
	 * @param connectedServer the server connected to, without credentials, or {@code null}
	 * @param serverVersion the version of the server last connected to, or {@code null}
	 */
	public record ConnectionDescriptor(String status, List<String> servers, @Nullable String connectedServer,
			@Nullable String serverVersion) {
	}

	/**
	 * Description of the KV bucket; its figures are {@code null} when {@code error} says why they are missing.
	 *
	 * @param name the bucket's name
	 * @param values the keys holding a value or a delete marker, revisions kept by the history included
	 * @param bytes the bytes stored
	 * @param history the revisions kept per key
	 * @param ttl how long a value is kept ({@code PT0S}: for ever), ISO-8601
	 * @param replicas the copies kept by the JetStream cluster
	 * @param storage where the server stores it
	 * @param error why the server gave no figures, or {@code null}
	 */
	public record BucketDescriptor(String name, @Nullable Long values, @Nullable Long bytes, @Nullable Long history,
			@Nullable String ttl, @Nullable Integer replicas, @Nullable String storage, @Nullable String error) {
	}

	/**
	 * Description of the bucket's stream, the event log; its figures are {@code null} when {@code error} says
	 * why they are missing.
	 *
	 * @param name the stream's name
	 * @param firstSequence the first revision it holds
	 * @param lastSequence the last revision written
	 * @param messages the messages it holds
	 * @param bytes the bytes it holds
	 * @param error why the server gave no figures, or {@code null}
	 */
	public record StreamDescriptor(String name, @Nullable Long firstSequence, @Nullable Long lastSequence,
			@Nullable Long messages, @Nullable Long bytes, @Nullable String error) {
	}

	/**
	 * Description of this node's durable consumer, as the server sees it; its figures are {@code null} when
	 * {@code error} says why they are missing.
	 *
	 * @param name the consumer's name
	 * @param deliveredRevision the last revision delivered to this node
	 * @param ackFloorRevision the revision up to which this node acknowledged every message
	 * @param pending the messages of the log not delivered yet
	 * @param ackPending the messages delivered and not acknowledged yet
	 * @param redelivered the messages delivered more than once and not acknowledged yet
	 * @param error why the server gave no figures, or {@code null}
	 */
	public record ConsumerDescriptor(String name, @Nullable Long deliveredRevision, @Nullable Long ackFloorRevision,
			@Nullable Long pending, @Nullable Long ackPending, @Nullable Long redelivered, @Nullable String error) {
	}

	/**
	 * Description of this node's event reader.
	 *
	 * @param running whether it runs
	 * @param synced whether the initial state was delivered
	 * @param lastProcessedRevision the last revision it processed
	 * @param lag the messages of the log that followed its last delivery when it arrived
	 * @param statistics what it did with the messages of the log since it started
	 */
	public record ReaderDescriptor(boolean running, boolean synced, long lastProcessedRevision, long lag,
			DeliveryStatistics statistics) {
	}

	/**
	 * Description of a {@code @CoordinatorListener} method.
	 *
	 * @param id the listener's id, as dead letters name it
	 * @param bean the name of the bean that declares it
	 * @param method the method, qualified by its class
	 * @param prefix the key prefix it receives
	 * @param actions the actions it receives
	 * @param initialState whether it receives the initial state
	 */
	public record ListenerDescriptor(String id, String bean, String method, String prefix,
			List<CoordinatorAction> actions, boolean initialState) {
	}

	/**
	 * Description of the watches of a prefix.
	 *
	 * @param prefix the key prefix
	 * @param registrations the handlers registered for it
	 */
	public record WatchDescriptor(String prefix, int registrations) {
	}

	/**
	 * Description of this node's dead letters.
	 *
	 * @param stream the stream that records the dead letters of every node
	 * @param stored the dead letters the stream holds (of every node), or {@code null} when {@code error} says
	 * why it is unknown
	 * @param error why the stream's count is missing, or {@code null}
	 * @param listenerFailures the listener calls this node gave up since it started
	 * @param recent this node's newest dead letters since it started, newest first
	 */
	public record DeadLettersDescriptor(String stream, @Nullable Long stored, @Nullable String error,
			long listenerFailures, List<DeadLetterDescriptor> recent) {
	}

	/**
	 * Description of a dead letter, without its value.
	 *
	 * @param key the key of the change, or the subject of a message that is not a change
	 * @param revision its revision
	 * @param listener the id of the listener that failed, or {@code null} for a message that is not a change
	 * @param reason the last failure, or what is wrong with the message
	 * @param recordedAt when this node gave it up
	 */
	public record DeadLetterDescriptor(String key, long revision, @Nullable String listener, String reason,
			Instant recordedAt) {
	}

	/**
	 * Description of the membership.
	 *
	 * @param enabled whether this node takes part ({@code coordinator.membership.enabled})
	 * @param members the members this node knows, by node id
	 */
	public record MembershipDescriptor(boolean enabled, List<MemberDescriptor> members) {
	}

	/**
	 * Description of a member.
	 *
	 * @param nodeId its node id
	 * @param host its host name
	 * @param webPort the port of its web server, or {@code null}
	 * @param since when it registered, by its own clock
	 * @param metadata what it says about itself
	 */
	public record MemberDescriptor(String nodeId, String host, @Nullable Integer webPort, Instant since,
			Map<String, String> metadata) {

		MemberDescriptor(Member member) {
			this(member.nodeId(), member.host(), member.webPort(), member.startedAt(), member.metadata());
		}

	}

	/**
	 * Description of the locks.
	 *
	 * @param prefix the key prefix of the lock records, or {@code null} without locks
	 * @param holders the locks held, by name
	 * @param error why the holders could not be read, or {@code null}
	 */
	public record LocksDescriptor(@Nullable String prefix, List<LockDescriptor> holders, @Nullable String error) {
	}

	/**
	 * Description of a held lock.
	 *
	 * @param name the lock's name
	 * @param holder the id of the node that holds it
	 * @param fencingToken the fencing token of the hold
	 * @param renewedAt when the server stored the last acquisition or renewal
	 * @param ttl how long it stays held after a renewal, ISO-8601
	 * @param expiresAt when it is free unless renewed before, by the server's clock
	 */
	public record LockDescriptor(String name, String holder, long fencingToken, Instant renewedAt, String ttl,
			Instant expiresAt) {

		LockDescriptor(LockHolder lock) {
			this(lock.name(), lock.holder(), lock.fencingToken(), lock.renewedAt(), lock.ttl().toString(),
					lock.expiresAt());
		}

	}

}
