package dev.coordinator.autoconfigure;

import javax.net.ssl.SSLException;

import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.support.Status;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what the NATS client reports at levels an operator can live with. The client's default logger writes an
 * ERROR for every refused reconnect attempt and a WARN for every pull request that expired without messages
 * (every 5 s on an idle node); both are routine here: reconnects are logged by the connection listener, and the
 * event reader renews its pulls itself. A failed TLS handshake is a warning: a certificate the node does not
 * accept, also one of a server the cluster advertised, needs an operator.
 *
 * <p>It also keeps the last exception the client reported, which explains a failed connection attempt: the
 * client throws an exception that only lists the servers it tried.
 */
final class NatsErrorLogger implements ErrorListener {

	private static final Logger logger = LoggerFactory.getLogger(NatsErrorLogger.class);

	private volatile @Nullable Exception lastException;

	@Override
	public void errorOccurred(Connection conn, String error) {
		logger.warn("The NATS server reported an error: {}", error);
	}

	@Override
	public void exceptionOccurred(Connection conn, Exception exp) {
		this.lastException = exp;
		SSLException tls = findCause(exp, SSLException.class);
		if (tls != null) {
			logger.warn("TLS with a NATS server failed: {}", describe(tls));
		}
		else {
			logger.debug("NATS connection exception: {}", exp.toString());
		}
	}

	/**
	 * Returns the last exception the client reported.
	 * @return the exception, or {@code null}
	 */
	@Nullable Exception lastException() {
		return this.lastException;
	}

	private static String describe(SSLException ex) {
		Throwable cause = ex.getCause();
		return (cause != null && cause.getMessage() != null) ? cause.getMessage() : ex.getMessage();
	}

	/**
	 * Returns the first exception of a type in a cause chain.
	 */
	static <T extends Throwable> @Nullable T findCause(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
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
