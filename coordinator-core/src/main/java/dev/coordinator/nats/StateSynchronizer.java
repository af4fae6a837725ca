package dev.coordinator.nats;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEntry;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorResyncEvent;
import dev.coordinator.CoordinatorSyncedEvent;
import dev.coordinator.listener.EventDispatcher;
import dev.coordinator.listener.InitialStateTracker;
import io.nats.client.api.StreamInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the initial-state listeners in line with the stored state: at start, and whenever this node lost its
 * place in the log. It lists the entries under their prefixes, replays what they lack (entries new or changed,
 * deletions of keys gone), and announces {@link CoordinatorResyncEvent} and {@link CoordinatorSyncedEvent}.
 */
final class StateSynchronizer {

	private static final Logger logger = LoggerFactory.getLogger(StateSynchronizer.class);

	private final NatsCoordinator coordinator;

	private final EventDispatcher dispatcher;

	private final EventLogContainer.Counters counters;

	/** When the log of the last replay was created: a log created anew has revisions of its own. */
	private @Nullable ZonedDateTime logCreated;

	StateSynchronizer(NatsCoordinator coordinator, EventDispatcher dispatcher, EventLogContainer.Counters counters) {
		this.coordinator = coordinator;
		this.dispatcher = dispatcher;
		this.counters = counters;
	}

	/**
	 * Delivers the stored state to the initial-state listeners when the reader starts.
	 * @param awayAfter the last revision this node processed before it was away longer than its consumer was
	 * kept, or -1
	 * @return the revision up to which the state contains every change
	 */
	long synchronize(long awayAfter) {
		this.dispatcher.initialState().setPrefixes(this.dispatcher.initialStatePrefixes());
		long revision = replay();
		if (awayAfter >= 0) {
			this.counters.resyncs.increment();
			this.dispatcher.publish(new CoordinatorResyncEvent(this.coordinator, "durable consumer '"
					+ this.coordinator.getSettings().durableName() + "' expired while the node was away", awayAfter,
					revision));
		}
		this.dispatcher.publish(new CoordinatorSyncedEvent(this.coordinator, revision));
		return revision;
	}

	/**
	 * Brings the initial-state listeners back in line after this node lost its place in the log.
	 * @param reason why
	 * @param lastRevision the last revision processed before
	 * @return the revision up to which the state contains every change
	 */
	long resync(String reason, long lastRevision) {
		long revision = replay();
		this.counters.resyncs.increment();
		this.dispatcher.publish(new CoordinatorResyncEvent(this.coordinator, reason, lastRevision, revision));
		this.dispatcher.publish(new CoordinatorSyncedEvent(this.coordinator, revision));
		return revision;
	}

	/**
	 * Returns whether the log was created anew since the last replay (the bucket was deleted and created again):
	 * its revisions start over, and none this node processed is in it.
	 * @param log the state of the log now
	 * @return whether it is another log
	 */
	boolean isCreatedAnew(StreamInfo log) {
		return this.logCreated != null && !this.logCreated.equals(log.getCreateTime());
	}

	private long replay() {
		StreamInfo log = this.coordinator.logInfo();
		long revision = log.getStreamState().getLastSequence();
		InitialStateTracker tracker = this.dispatcher.initialState();
		if (isCreatedAnew(log)) {
			logger.warn("Stream '{}' was created anew ({}, before: {}); initial-state listeners receive every stored "
					+ "entry again and local views are filled anew", this.coordinator.getSettings().streamName(),
					log.getCreateTime(), this.logCreated);
			tracker.logDiverged();
			this.coordinator.refillViews();
		}
		this.logCreated = log.getCreateTime();
		if (tracker.prefixes().isEmpty()) {
			return revision;
		}
		List<CoordinatorEntry> entries = new ArrayList<>();
		tracker.prefixes().forEach((prefix) -> entries.addAll(this.coordinator.listInAnyOrder(prefix)));
		InitialStateTracker.Differences differences = tracker.reconcile(entries, revision);
		Instant now = Instant.now();
		for (String key : differences.vanished()) {
			this.counters.replayed.increment();
			this.dispatcher.replay(new CoordinatorEvent(this.coordinator, key, CoordinatorAction.DELETE, null, revision,
					null, now, false, true));
		}
		for (CoordinatorEntry entry : differences.changed()) {
			this.counters.replayed.increment();
			this.dispatcher.replay(new CoordinatorEvent(this.coordinator, entry.key(), CoordinatorAction.PUT,
					entry.value(), entry.revision(), null, entry.created(), false, true));
		}
		logger.info("Replayed {} entries and {} deletions under {} to initial-state listeners; in sync at revision {}",
				differences.changed().size(), differences.vanished().size(), tracker.prefixes(), revision);
		return revision;
	}

}
