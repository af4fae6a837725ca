package dev.coordinator.nats;

import java.io.IOException;

import dev.coordinator.CoordinatorException;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StreamInfo;
import org.jspecify.annotations.Nullable;

/**
 * Creates, checks, resumes and repositions this node's durable consumer of the log: pull, ack policy all,
 * no filter, named {@code <namespace>_<node-id>}.
 */
final class ConsumerProvisioner {

	private static final int CONSUMER_NOT_FOUND = 10014;

	private final NatsCoordinatorSettings settings;

	private final ManagementAccess management;

	/**
	 * First revision of a re-creation that deleted the old consumer but has no answer to the creation yet, -1
	 * when none is under way. Touched by one thread at a time (start-up, then the reader thread).
	 */
	private long replacingFrom = -1;

	ConsumerProvisioner(NatsCoordinatorSettings settings, ManagementAccess management) {
		this.settings = settings;
		this.management = management;
	}

	/**
	 * Returns the consumer, or {@code null} when it does not exist.
	 * @return the consumer's state
	 */
	@Nullable ConsumerInfo find() throws IOException, JetStreamApiException {
		try {
			return this.management.get().getConsumerInfo(this.settings.streamName(), this.settings.durableName());
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() == CONSUMER_NOT_FOUND) {
				return null;
			}
			throw ex;
		}
	}

	/**
	 * Creates the consumer so that it delivers the changes written from now on.
	 * @return the new consumer's state
	 */
	ConsumerInfo createNew() throws IOException, JetStreamApiException {
		return this.management.get().addOrUpdateConsumer(this.settings.streamName(), configuration(DeliverPolicy.New, 0));
	}

	/**
	 * Checks that an existing consumer is one of ours, and brings its settings up to date.
	 * @param existing the consumer's state
	 * @throws CoordinatorException when it is not a coordinator consumer
	 */
	void resume(ConsumerInfo existing) throws IOException, JetStreamApiException {
		ConsumerConfiguration current = existing.getConsumerConfiguration();
		if (current.getAckPolicy() == AckPolicy.None || current.getFilterSubject() != null
				|| current.getDeliverSubject() != null) {
			throw new CoordinatorException("Consumer '" + this.settings.durableName() + "' of stream '"
					+ this.settings.streamName() + "' exists but is not a coordinator consumer (ack policy "
					+ current.getAckPolicy() + ", filter " + current.getFilterSubject() + ", deliver subject "
					+ current.getDeliverSubject() + "); delete it or give this node another coordinator.node-id");
		}
		ConsumerConfiguration wanted = configuration(current.getDeliverPolicy(), current.getStartSequence());
		if (!current.getAckWait().equals(wanted.getAckWait()) || current.getMaxAckPending() != wanted.getMaxAckPending()
				|| !current.getInactiveThreshold().equals(wanted.getInactiveThreshold())) {
			this.management.get().addOrUpdateConsumer(this.settings.streamName(), wanted);
		}
	}

	/**
	 * Deletes the consumer (when it exists) and creates it again to deliver from a revision on. Either step may
	 * fail; calling it again finishes the job. A creation whose answer did not arrive in time may still be
	 * carried out by the server (slowly, while a server of the cluster is down): when it was, calling again keeps
	 * that consumer rather than deleting it, which would start the race over and leave the node without a
	 * consumer for as long as creations take longer than the request timeout.
	 * @param startRevision the first revision to deliver
	 * @return the new consumer's state; its pending count says how many revisions from the start the log holds
	 */
	ConsumerInfo recreateFrom(long startRevision) throws IOException, JetStreamApiException {
		JetStreamManagement jsm = this.management.get();
		if (this.replacingFrom == startRevision) {
			ConsumerInfo earlier = find();
			if (earlier != null && deliversFrom(earlier, startRevision)) {
				this.replacingFrom = -1;
				return earlier;
			}
		}
		try {
			jsm.deleteConsumer(this.settings.streamName(), this.settings.durableName());
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() != CONSUMER_NOT_FOUND) {
				throw ex;
			}
		}
		this.replacingFrom = startRevision;
		ConsumerInfo created = jsm.addOrUpdateConsumer(this.settings.streamName(),
				configuration(DeliverPolicy.ByStartSequence, startRevision));
		this.replacingFrom = -1;
		return created;
	}

	/**
	 * Returns whether a consumer is one that an earlier call of {@link #recreateFrom(long)} created, untouched:
	 * delivering from the revision on and nothing delivered yet.
	 */
	private static boolean deliversFrom(ConsumerInfo consumer, long startRevision) {
		ConsumerConfiguration configuration = consumer.getConsumerConfiguration();
		return configuration.getDeliverPolicy() == DeliverPolicy.ByStartSequence
				&& configuration.getStartSequence() == startRevision && configuration.getAckPolicy() == AckPolicy.All
				&& consumer.getDelivered().getConsumerSequence() == 0;
	}

	/**
	 * Returns the last revision in the log.
	 * @return the stream's last sequence
	 */
	long lastRevision() throws IOException, JetStreamApiException {
		return log().getStreamState().getLastSequence();
	}

	/**
	 * Returns the state of the log: its last revision, and when it was created.
	 * @return the stream's info
	 */
	StreamInfo log() throws IOException, JetStreamApiException {
		return this.management.get().getStreamInfo(this.settings.streamName());
	}

	/**
	 * Returns whether revisions after one are no longer in the log (superseded, expired or purged): a consumer
	 * created from the revision after it found fewer messages than were written since.
	 * @param revision the last revision a node processed
	 * @param created the consumer created from the revision after it
	 * @return whether some are gone
	 */
	boolean revisionsGoneAfter(long revision, ConsumerInfo created) throws IOException, JetStreamApiException {
		long last = lastRevision();
		return last > revision && created.getNumPending() < last - revision;
	}

	private ConsumerConfiguration configuration(DeliverPolicy deliverPolicy, long startSequence) {
		NatsCoordinatorSettings.Consumer consumer = this.settings.consumer();
		ConsumerConfiguration.Builder builder = ConsumerConfiguration.builder()
			.durable(this.settings.durableName())
			.description("Coordinator events of node " + this.settings.nodeId())
			.deliverPolicy(deliverPolicy)
			.ackPolicy(AckPolicy.All)
			.ackWait(consumer.ackWait())
			.maxAckPending(consumer.maxAckPending())
			.inactiveThreshold(consumer.inactiveThreshold());
		if (deliverPolicy == DeliverPolicy.ByStartSequence) {
			builder.startSequence(startSequence);
		}
		return builder.build();
	}

	/**
	 * How the JetStream management API is reached.
	 */
	@FunctionalInterface
	interface ManagementAccess {

		JetStreamManagement get() throws IOException;

	}

}
