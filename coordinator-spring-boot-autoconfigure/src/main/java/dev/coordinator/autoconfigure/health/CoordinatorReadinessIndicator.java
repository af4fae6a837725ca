package dev.coordinator.autoconfigure.health;

import dev.coordinator.nats.EventLogContainer;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Whether a node is ready for traffic as far as the coordinator goes: OUT_OF_SERVICE until its event reader has
 * delivered the initial state (what the initial-state listeners and views hold is complete), UP from then on.
 * It stays UP through a later NATS outage: the node serves with the state it has, and the {@code coordinator}
 * health indicator reports the outage. Member of the readiness group, never of liveness: restarting nodes
 * cannot fix NATS, and an outage would restart every node at once.
 */
public class CoordinatorReadinessIndicator extends AbstractHealthIndicator {

	/** The indicator's name in the health endpoint and the readiness group. */
	public static final String NAME = "coordinatorReadiness";

	private final EventLogContainer container;

	/**
	 * Creates an indicator.
	 * @param container the node's event reader
	 */
	public CoordinatorReadinessIndicator(EventLogContainer container) {
		super("Coordinator readiness check failed");
		this.container = container;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		if (this.container.isSynced()) {
			builder.up();
		}
		else {
			builder.outOfService().withDetail("reason", "the initial state is not delivered yet");
		}
	}

}
