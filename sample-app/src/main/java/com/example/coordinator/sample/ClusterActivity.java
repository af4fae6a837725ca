package com.example.coordinator.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.lock.LockHolder;
import dev.coordinator.lock.LeadershipGrantedEvent;
import dev.coordinator.lock.LeadershipRevokedEvent;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.membership.Member;
import dev.coordinator.membership.MemberJoinedEvent;
import dev.coordinator.membership.MemberLeftEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * What this node sees of the cluster, for the page: the latest events (changes of keys, members that joined
 * or left, this node's leadership) and a {@link ClusterSnapshot} of members, leader and locks, sent to every
 * open server-sent event stream whenever something happened.
 *
 * <p>Snapshots are built and sent on a thread of their own, so that the coordinator's reader thread, which
 * calls the listeners here, never waits for a browser.
 */
@Component
public class ClusterActivity implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(ClusterActivity.class);

	private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(30);

	private static final int MAX_VALUE_LENGTH = 80;

	private final Coordinator coordinator;

	private final ClusterMembership membership;

	private final LeaderAnnouncer leaders;

	private final CoordinatorLocks locks;

	private final int capacity;

	private final Deque<Activity> recent = new ArrayDeque<>();

	private final Set<SseEmitter> streams = new CopyOnWriteArraySet<>();

	private final ExecutorService sender = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "sample-page-streams");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicBoolean broadcastPending = new AtomicBoolean();

	private volatile boolean closed;

	public ClusterActivity(Coordinator coordinator, ClusterMembership membership, LeaderAnnouncer leaders,
			CoordinatorLocks locks, SampleProperties properties) {
		this.coordinator = coordinator;
		this.membership = membership;
		this.leaders = leaders;
		this.locks = locks;
		this.capacity = properties.recentEvents();
	}

	@CoordinatorListener(prefix = "/")
	void onChange(CoordinatorEvent event) {
		String origin = (event.getOrigin() != null) ? event.getOrigin() : "a program that is not a node";
		if (event.getAction() == CoordinatorAction.PUT) {
			record("PUT", event.getKey() + " = '" + shorten(event.getValue()) + "' by " + origin + " (revision "
					+ event.getRevision() + ")");
		}
		else {
			record("DELETE", event.getKey() + " by " + origin + " (revision " + event.getRevision() + ")");
		}
	}

	@EventListener
	void onJoined(MemberJoinedEvent event) {
		record("JOINED", event.getMember().nodeId() + " joined the cluster");
	}

	@EventListener
	void onLeft(MemberLeftEvent event) {
		String how = (event.getReason() == MemberLeftEvent.Reason.EXPIRED) ? "stopped renewing its lease: removed"
				: "left";
		record("LEFT", event.getMember().nodeId() + " " + how);
	}

	@EventListener
	void onGranted(LeadershipGrantedEvent event) {
		record("LEADER", this.coordinator.nodeId() + " (this node) now leads '" + event.getRole()
				+ "' with fencing token " + event.getFencingToken());
	}

	@EventListener
	void onRevoked(LeadershipRevokedEvent event) {
		record("LEADER", this.coordinator.nodeId() + " (this node) no longer leads '" + event.getRole() + "'");
	}

	/**
	 * Opens a stream of snapshots: the current one at once, then one after every event.
	 * @return the stream
	 */
	public SseEmitter open() {
		SseEmitter stream = new SseEmitter(STREAM_TIMEOUT.toMillis());
		stream.onCompletion(() -> this.streams.remove(stream));
		stream.onTimeout(stream::complete);
		stream.onError((ex) -> this.streams.remove(stream));
		if (this.closed) {
			stream.complete();
			return stream;
		}
		this.streams.add(stream);
		this.sender.execute(() -> send(stream, snapshot()));
		return stream;
	}

	/**
	 * Returns what the page shows, as of now.
	 * @return the snapshot
	 */
	public ClusterSnapshot snapshot() {
		List<Member> members = this.membership.members()
			.values()
			.stream()
			.sorted(Comparator.comparing(Member::nodeId))
			.toList();
		List<Activity> events;
		synchronized (this.recent) {
			events = new ArrayList<>(this.recent);
		}
		return new ClusterSnapshot(this.coordinator.nodeId(), members, this.leaders.current(), locks(), events);
	}

	/**
	 * Lists the locks held in the cluster: the records under {@code coordinator.locks.prefix}.
	 * @return who holds which lock, by name
	 */
	public List<LockHolder> locks() {
		return this.coordinator.list(this.locks.getPrefix())
			.stream()
			.map(this.locks::holder)
			.flatMap(Optional::stream)
			.toList();
	}

	/**
	 * Ends the open streams as soon as the application starts to close, so that they do not hold up the web
	 * server's graceful shutdown; browsers reconnect to another node or once this one is back.
	 */
	@EventListener(ContextClosedEvent.class)
	void closeStreams() {
		this.closed = true;
		this.streams.forEach(SseEmitter::complete);
		this.streams.clear();
	}

	/**
	 * Stops the thread that sends snapshots, once the coordinator's reader no longer calls the listeners.
	 */
	@Override
	public void destroy() {
		this.sender.shutdownNow();
	}

	private void record(String kind, String text) {
		synchronized (this.recent) {
			this.recent.addFirst(new Activity(Instant.now(), kind, text));
			while (this.recent.size() > this.capacity) {
				this.recent.removeLast();
			}
		}
		if (!this.closed && this.broadcastPending.compareAndSet(false, true)) {
			this.sender.execute(this::broadcast);
		}
	}

	private void broadcast() {
		this.broadcastPending.set(false);
		if (this.streams.isEmpty()) {
			return;
		}
		ClusterSnapshot snapshot;
		try {
			snapshot = snapshot();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not read the cluster's state for the page ({}); it is sent with the next event",
					ex.getMessage());
			return;
		}
		this.streams.forEach((stream) -> send(stream, snapshot));
	}

	private void send(SseEmitter stream, ClusterSnapshot snapshot) {
		try {
			stream.send(SseEmitter.event().name("snapshot").data(snapshot, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException ex) {
			// The browser went away; the stream is closed and forgotten.
			this.streams.remove(stream);
			stream.completeWithError(ex);
		}
	}

	private static String shorten(byte[] value) {
		String text = new String(value, StandardCharsets.UTF_8);
		return (text.length() > MAX_VALUE_LENGTH) ? text.substring(0, MAX_VALUE_LENGTH) + "..." : text;
	}

	/**
	 * Something that happened, as this node saw it.
	 *
	 * @param at when this node saw it
	 * @param kind {@code PUT}, {@code DELETE}, {@code JOINED}, {@code LEFT} or {@code LEADER}
	 * @param text what happened
	 */
	public record Activity(Instant at, String kind, String text) {
	}

	/**
	 * What the page shows.
	 *
	 * @param node this node's id
	 * @param members the members, by node id
	 * @param leader the leader
	 * @param locks the locks held
	 * @param events the latest events, newest first
	 */
	public record ClusterSnapshot(String node, List<Member> members, LeaderAnnouncer.Leader leader,
			List<LockHolder> locks, List<Activity> events) {
	}

}
