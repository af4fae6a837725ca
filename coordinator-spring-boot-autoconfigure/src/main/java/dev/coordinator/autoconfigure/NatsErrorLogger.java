package dev.coordinator.autoconfigure;

import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.support.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what the NATS client reports at levels an operator can live with. The client's default logger writes an
 * ERROR for every refused reconnect attempt and a WARN for every pull request that expired without messages
 * (every 5 s on an idle node); both are routine here: reconnects are logged by the connection listener, and the
 * event reader renews its pulls itself.
 */
final class NatsErrorLogger implements ErrorListener {

	private static final Logger logger = LoggerFactory.getLogger(NatsErrorLogger.class);

	@Override
	public void errorOccurred(Connection conn, String error) {
		logger.warn("The NATS server reported an error: {}", error);
	}

	@Override
	public void exceptionOccurred(Connection conn, Exception exp) {
		logger.debug("NATS connection exception: {}", exp.toString());
	}

	@Override
	public void slowConsumerDetected(Connection conn, Consumer consumer) {
		logger.warn("NATS slow consumer: messages were dropped by the client for {}", consumer);
	}

	@Override
	public void messageDiscarded(Connection conn, Message msg) {
		logger.warn("The NATS client discarded an outgoing message on '{}' (its outgoing queue is full)",
				msg.getSubject());
	}

	@Override
	public void pullStatusWarning(Connection conn, JetStreamSubscription sub, Status status) {
		logger.debug("Pull request status: {}", status);
	}

	@Override
	public void pullStatusError(Connection conn, JetStreamSubscription sub, Status status) {
		logger.warn("Pull request failed: {}", status);
	}

}
