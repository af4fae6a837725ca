package dev.coordinator.nats;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

import io.nats.client.JetStreamApiException;
import io.nats.client.api.MessageInfo;
import org.jspecify.annotations.Nullable;

/**
 * Where this node is in the log: the last revision it processed (every message up to it was processed or is
 * not in the log), the consumer sequence of the last delivery, and the newest processed revisions, which prove
 * whether a server that crashed lost some of them. Used on the reader thread only.
 */
final class LogPosition {

	/** Processed messages remembered for the check after a server crash. */
	private static final int RECENT = 1024;

	private final Deque<Processed> recent = new ArrayDeque<>();

	private volatile long lastProcessedRevision;

	/** Consumer sequence of the last delivery handled, 0 when unknown (a new or repositioned consumer). */
	private long lastConsumerSequence;

	/** Latest server time among the messages processed in this run, {@code null} before the first. */
	private @Nullable Instant latestWrittenAt;

	/** The consumer is being positioned after the last processed revision, and that is not done yet. */
	private boolean repositionPending;

	long lastProcessedRevision() {
		return this.lastProcessedRevision;
	}

	/**
	 * Starts from a position the server reported.
	 * @param revision last processed revision
	 * @param consumerSequence consumer sequence of the last delivery, 0 when unknown
	 */
	void startAt(long revision, long consumerSequence) {
		this.lastProcessedRevision = revision;
		this.lastConsumerSequence = consumerSequence;
	}

	/**
	 * Checks that no delivery went missing before one with this consumer sequence.
	 * @param consumerSequence the delivery's consumer sequence
	 * @return a description of the missing deliveries, or {@code null} when none is missing
	 */
	@Nullable String missingBefore(long consumerSequence) {
		if (this.lastConsumerSequence > 0 && consumerSequence > this.lastConsumerSequence + 1) {
			return "deliveries " + (this.lastConsumerSequence + 1) + " to " + (consumerSequence - 1)
					+ " of the consumer did not arrive";
		}
		return null;
	}

	/**
	 * Classifies a delivered message.
	 * @param revision its revision
	 * @param subject its subject
	 * @param writtenAt when the server stored it
	 * @return whether it is new, processed already, or a revision the server gave to another message
	 */
	Verdict classify(long revision, String subject, Instant writtenAt) {
		if (revision > this.lastProcessedRevision) {
			return Verdict.NEW;
		}
		Processed processed = recentlyProcessed(revision);
		if (processed != null) {
			return processed.matches(subject, writtenAt) ? Verdict.DUPLICATE : Verdict.REUSED;
		}
		// Older than the recent window: a message processed before cannot have been written after every message
		// processed since, so one that was is new, at a revision the server gave again after losing its store.
		Instant latest = this.latestWrittenAt;
		return (latest != null && writtenAt.isAfter(latest)) ? Verdict.REUSED : Verdict.DUPLICATE;
	}

	/**
	 * Records a delivery that was handled (processed or skipped as a duplicate).
	 * @param consumerSequence its consumer sequence
	 */
	void handled(long consumerSequence) {
		this.lastConsumerSequence = consumerSequence;
	}

	/**
	 * Records a processed message.
	 * @param revision its revision
	 * @param subject its subject
	 * @param writtenAt when the server stored it
	 */
	void processed(long revision, String subject, Instant writtenAt) {
		this.lastProcessedRevision = revision;
		if (this.latestWrittenAt == null || writtenAt.isAfter(this.latestWrittenAt)) {
			this.latestWrittenAt = writtenAt;
		}
		this.recent.addLast(new Processed(revision, subject, writtenAt));
		if (this.recent.size() > RECENT) {
			this.recent.pollFirst();
		}
	}

	/**
	 * A server that crashed may come back without the last messages it had delivered but not yet stored, and
	 * gives their revisions to the next writes. Checks the newest processed revisions, newest first, for ones
	 * that now hold another message, or are gone with no later revision of their key in the log.
	 * @param last the log's last revision
	 * @param leader reads from the stream's leader (a lagging replica would take a revision for lost)
	 * @return the first revision lost, or 0 when none was
	 */
	long findLost(long last, LeaderReads leader) throws IOException, JetStreamApiException {
		long firstLost = 0;
		for (Iterator<Processed> newestFirst = this.recent.descendingIterator(); newestFirst.hasNext();) {
			Processed processed = newestFirst.next();
			if (processed.revision() > last) {
				// Not proof: a new cluster leader may not have applied it yet. A write that reuses the revision
				// will prove it (see classify).
				break;
			}
			MessageInfo stored = leader.at(processed.revision());
			if (stored != null && processed.matches(stored.getSubject(), stored.getTime().toInstant())) {
				break;
			}
			if (stored == null) {
				// Gone: superseded by a later revision of its key, or lost with the crash if there is none.
				MessageInfo latest = leader.lastOn(processed.subject());
				if (latest != null && latest.getSeq() > processed.revision()) {
					break;
				}
			}
			firstLost = processed.revision();
		}
		return firstLost;
	}

	/**
	 * Returns whether the log still holds one of the newest processed messages at its revision, as it was
	 * processed (same subject, same time): proof that it is the log this node read.
	 * @param last the log's last revision
	 * @param leader reads from the stream's leader
	 * @return whether one is held
	 */
	boolean holdsProcessed(long last, LeaderReads leader) throws IOException, JetStreamApiException {
		for (Iterator<Processed> newestFirst = this.recent.descendingIterator(); newestFirst.hasNext();) {
			Processed processed = newestFirst.next();
			if (processed.revision() <= last) {
				MessageInfo stored = leader.at(processed.revision());
				if (stored != null && processed.matches(stored.getSubject(), stored.getTime().toInstant())) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Forgets processed revisions the server lost: reading goes on right before the first of them.
	 * @param firstLost the first lost revision
	 */
	void forgetFrom(long firstLost) {
		this.recent.removeIf((entry) -> entry.revision() >= firstLost);
		this.lastProcessedRevision = Math.min(this.lastProcessedRevision, firstLost - 1);
	}

	boolean isRepositionPending() {
		return this.repositionPending;
	}

	void repositionStarted() {
		this.repositionPending = true;
	}

	/**
	 * The consumer now delivers from the revision after the last processed one, from consumer sequence 1.
	 */
	void repositioned() {
		this.repositionPending = false;
		this.lastConsumerSequence = 0;
	}

	private @Nullable Processed recentlyProcessed(long revision) {
		for (Iterator<Processed> newestFirst = this.recent.descendingIterator(); newestFirst.hasNext();) {
			Processed processed = newestFirst.next();
			if (processed.revision() == revision) {
				return processed;
			}
			if (processed.revision() < revision) {
				return null;
			}
		}
		return null;
	}

	/**
	 * What a delivered message is to this node.
	 */
	enum Verdict {

		/** After the last processed revision: process it. */
		NEW,

		/** Processed already: skip it. */
		DUPLICATE,

		/** A processed revision that the server now gives to another message: it lost the one processed. */
		REUSED

	}

	/**
	 * A message the reader processed.
	 *
	 * @param revision its revision
	 * @param subject its subject
	 * @param writtenAt when the server stored it, which tells it apart from a later message given the same
	 * revision after a crash
	 */
	private record Processed(long revision, String subject, Instant writtenAt) {

		boolean matches(String otherSubject, Instant otherWrittenAt) {
			return this.subject.equals(otherSubject) && this.writtenAt.equals(otherWrittenAt);
		}

	}

}
