package dev.coordinator.nats;

import io.nats.client.Message;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledges processed messages. The consumer acknowledges cumulatively (ack policy all): acknowledging a
 * message acknowledges every one before it. So acknowledgements are owed while more messages are buffered,
 * and sent when the buffer is empty, every {@value #ACK_EVERY} messages, and before the reader stops. Used on
 * the reader thread only.
 */
final class AckBatcher {

	private static final Logger logger = LoggerFactory.getLogger(AckBatcher.class);

	/** Messages processed at most before they are acknowledged, while more are buffered. */
	static final int ACK_EVERY = 64;

	private @Nullable Message owed;

	private int owedCount;

	boolean isOwing() {
		return this.owed != null;
	}

	/**
	 * Owes the acknowledgement of a processed message, which also covers the ones owed before it.
	 * @param message the message
	 */
	void owe(Message message) {
		this.owed = message;
		if (++this.owedCount >= ACK_EVERY) {
			flush();
		}
	}

	/**
	 * Sends the acknowledgement owed, if any.
	 */
	void flush() {
		Message message = this.owed;
		if (message == null) {
			return;
		}
		this.owed = null;
		this.owedCount = 0;
		try {
			message.ack();
		}
		catch (IllegalStateException ex) {
			logger.debug("Could not acknowledge revision {}: {}; the server delivers it again and it is skipped",
					message.metaData().streamSequence(), ex.getMessage());
		}
	}

	/**
	 * Tells the server a message can never be processed, after acknowledging the ones before it.
	 * @param message the message
	 */
	void terminate(Message message) {
		flush();
		try {
			message.term();
		}
		catch (IllegalStateException ex) {
			logger.debug("Could not terminate revision {}: {}; the server delivers it again",
					message.metaData().streamSequence(), ex.getMessage());
		}
	}

	/**
	 * Forgets what is owed: the messages belong to a consumer that was replaced.
	 */
	void discard() {
		this.owed = null;
		this.owedCount = 0;
	}

}
