package dev.coordinator.autoconfigure.health;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import io.nats.client.Connection;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of a node's coordinator: UP while it is connected to NATS, its event reader runs and has delivered
 * the initial state, and it is at most {@code coordinator.health.max-lag} revisions behind the log; DOWN
 * otherwise, with the part that is not well and since when this indicator sees it so. Details hold no secret
 * (no server credentials). Not meant for liveness: a NATS outage must not restart every node.
 */
public class CoordinatorHealthIndicator extends AbstractHealthIndicator {

	private final NatsCoordinator coordinator;

	private final EventLogContainer container;

	private final long maxLag;

	/** Since when each part has been seen down, cleared when it is well again. */
	private final Map<String, Instant> downSince = new ConcurrentHashMap<>();

	/**
	 * Creates an indicator.
	 * @param coordinator the coordinator
	 * @param container its event reader
	 * @param maxLag revisions this node may be behind the log before it is down
	 */
	public CoordinatorHealthIndicator(NatsCoordinator coordinator, EventLogContainer container, long maxLag) {
		super("Coordinator health check failed");
		this.coordinator = coordinator;
		this.container = container;
		this.maxLag = maxLag;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("node", this.coordinator.nodeId())
			.withDetail("namespace", this.coordinator.getSettings().namespace());
		Connection.Status status = this.coordinator.getConnection().getStatus();
		builder.withDetail("connection", status.name());
		if (status != Connection.Status.CONNECTED) {
			down(builder, "connection", "the NATS connection is " + status);
			return;
		}
		well("connection");
		long processed = this.container.lastProcessedRevision();
		builder.withDetail("lastProcessedRevision", processed);
		if (!this.container.isRunning()) {
			down(builder, "reader", "the event reader is stopped");
			return;
		}
		well("reader");
		if (!this.container.isSynced()) {
			down(builder, "initialState", "the initial state is not delivered yet");
			return;
		}
		well("initialState");
		long lag = Math.max(0, this.coordinator.lastRevisionOfLog() - processed);
		builder.withDetail("lag", lag).withDetail("maxLag", this.maxLag);
		if (lag > this.maxLag) {
			down(builder, "lag", "the node is " + lag + " revisions behind the log");
			return;
		}
		well("lag");
		builder.up();
	}

	private void down(Health.Builder builder, String part, String reason) {
		Instant since = this.downSince.computeIfAbsent(part, (ignored) -> Instant.now());
		builder.down().withDetail("part", part).withDetail("reason", reason).withDetail("since", since.toString());
	}

	private void well(String part) {
		this.downSince.remove(part);
	}

}
