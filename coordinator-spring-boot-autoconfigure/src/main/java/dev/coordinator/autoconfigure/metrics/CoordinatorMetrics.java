package dev.coordinator.autoconfigure.metrics;

import java.util.function.ToDoubleFunction;

import dev.coordinator.listener.CoordinatorErrorHandler;
import dev.coordinator.listener.DefaultCoordinatorErrorHandler;
import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.membership.ClusterMembership;
import dev.coordinator.nats.DeliveryStatistics;
import dev.coordinator.nats.EventLogContainer;
import io.nats.client.Connection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Binds a node's coordinator metrics, tagged with its {@code namespace} and {@code node}: what its event reader
 * did ({@code coordinator.events.*}, {@code coordinator.dead.letters}, {@code coordinator.resyncs},
 * {@code coordinator.reader.errors}), failing listener calls ({@code coordinator.listener.failures},
 * {@code .retries}), its lag ({@code coordinator.consumer.lag}), reconnects ({@code coordinator.reconnects}),
 * the locks it holds ({@code coordinator.locks.held}) and, with membership, the number of members
 * ({@code coordinator.members}). docs/metrics.md lists them.
 */
public class CoordinatorMetrics implements MeterBinder {

	private final EventLogContainer container;

	private final Connection connection;

	private final @Nullable ClusterMembership membership;

	private final @Nullable CoordinatorLocks locks;

	private @Nullable DefaultCoordinatorErrorHandler retries;

	private final Tags tags;

	/**
	 * Creates the metrics of a node.
	 * @param container the node's event reader
	 * @param connection the node's NATS connection
	 * @param membership the node's membership, or {@code null} when it takes no part in membership
	 * @param locks the node's locks, or {@code null} when there are none
	 * @param namespace the namespace
	 * @param nodeId the node id
	 */
	public CoordinatorMetrics(EventLogContainer container, Connection connection,
			@Nullable ClusterMembership membership, @Nullable CoordinatorLocks locks, String namespace, String nodeId) {
		this.container = container;
		this.connection = connection;
		this.membership = membership;
		this.locks = locks;
		this.tags = Tags.of("namespace", namespace, "node", nodeId);
	}

	/**
	 * Counts the retries of the error handler, when it is the default one (a replaced handler counts its own).
	 * @param errorHandler the node's error handler
	 */
	public void setErrorHandler(CoordinatorErrorHandler errorHandler) {
		this.retries = (errorHandler instanceof DefaultCoordinatorErrorHandler retrying) ? retrying : null;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		counter(registry, "coordinator.events.received", "Changes read from the log", DeliveryStatistics::received);
		counter(registry, "coordinator.events.delivered", "Changes handed to listeners", DeliveryStatistics::delivered);
		counter(registry, "coordinator.events.duplicates", "Deliveries skipped as processed already",
				DeliveryStatistics::duplicates);
		counter(registry, "coordinator.events.silent", "Silent changes, stored without events",
				DeliveryStatistics::silent);
		counter(registry, "coordinator.events.malformed", "Messages of the log that are not changes",
				DeliveryStatistics::malformed);
		counter(registry, "coordinator.events.rejected", "Changes not delivered because their origin was not verified",
				DeliveryStatistics::rejected);
		counter(registry, "coordinator.events.replayed", "Replayed entries handed to initial-state listeners",
				DeliveryStatistics::replayed);
		counter(registry, "coordinator.dead.letters", "Listener calls given up and recorded as dead letters",
				DeliveryStatistics::deadLettered);
		counter(registry, "coordinator.resyncs", "Times this node lost its place in the log and resynchronised",
				DeliveryStatistics::resyncs);
		counter(registry, "coordinator.listener.failures", "Listener calls that threw (first attempts)",
				DeliveryStatistics::failedCalls);
		counter(registry, "coordinator.reader.errors", "Failures logged outside listener retries",
				DeliveryStatistics::unexpected);
		Gauge.builder("coordinator.consumer.lag", this.container, EventLogContainer::pending)
			.description("Messages of the log this node has not received yet, as of its last delivery")
			.tags(this.tags)
			.register(registry);
		DefaultCoordinatorErrorHandler retrying = this.retries;
		if (retrying != null) {
			FunctionCounter.builder("coordinator.listener.retries", retrying, DefaultCoordinatorErrorHandler::retries)
				.description("Failed listener calls made again by the error handler")
				.tags(this.tags)
				.register(registry);
		}
		FunctionCounter
			.builder("coordinator.reconnects", this.connection,
					(connection) -> connection.getStatistics().getReconnects())
			.description("Times the NATS connection was re-established after it was lost")
			.tags(this.tags)
			.register(registry);
		CoordinatorLocks held = this.locks;
		if (held != null) {
			Gauge.builder("coordinator.locks.held", held, (current) -> current.held().size())
				.description("Locks this node holds, leaderships included")
				.tags(this.tags)
				.register(registry);
		}
		ClusterMembership members = this.membership;
		if (members != null) {
			Gauge.builder("coordinator.members", members, (current) -> current.members().size())
				.description("Members of the cluster as this node knows them")
				.tags(this.tags)
				.register(registry);
		}
	}

	private void counter(MeterRegistry registry, String name, String description,
			ToDoubleFunction<DeliveryStatistics> value) {
		FunctionCounter.builder(name, this.container, (container) -> value.applyAsDouble(container.statistics()))
			.description(description)
			.tags(this.tags)
			.register(registry);
	}

}
