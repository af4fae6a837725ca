package dev.coordinator;

import org.springframework.context.ApplicationEvent;

/**
 * Published when this node's durable consumer was created again: it was gone (deleted by the server after
 * {@code coordinator.consumer.inactive-threshold} without contact, or by an operator), deliveries went missing,
 * or the node started with deliveries of its previous run unacknowledged; it then reads again after the last
 * revision it processed. No change is skipped by it. When revisions the node had not read are no longer in the
 * log, a {@link CoordinatorResyncEvent} precedes it. When the bucket was deleted and created again, the node
 * reads the new stream from its first revision, after a {@link CoordinatorResyncEvent}.
 */
public class CoordinatorConsumerRecreatedEvent extends ApplicationEvent {

	private final String consumer;

	private final long fromRevision;

	private final String reason;

	/**
	 * Creates an event.
	 * @param source the coordinator
	 * @param consumer the durable consumer's name
	 * @param fromRevision the first revision it delivers
	 * @param reason why it was created again
	 */
	public CoordinatorConsumerRecreatedEvent(Coordinator source, String consumer, long fromRevision, String reason) {
		super(source);
		this.consumer = consumer;
		this.fromRevision = fromRevision;
		this.reason = reason;
	}

	/**
	 * Returns the durable consumer's name.
	 * @return the name
	 */
	public String getConsumer() {
		return this.consumer;
	}

	/**
	 * Returns the first revision the new consumer delivers.
	 * @return the revision
	 */
	public long getFromRevision() {
		return this.fromRevision;
	}

	/**
	 * Returns why the consumer was created again.
	 * @return the reason, for people
	 */
	public String getReason() {
		return this.reason;
	}

	@Override
	public String toString() {
		return "CoordinatorConsumerRecreatedEvent[" + this.consumer + " from revision " + this.fromRevision + ": "
				+ this.reason + "]";
	}

}
