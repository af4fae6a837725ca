package dev.coordinator.nats;

import java.net.URI;
import java.util.Objects;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorConnectionEvent;
import dev.coordinator.CoordinatorConnectionEvent.State;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Turns the state changes of the coordinator's NATS connection into one log line each and a
 * {@link CoordinatorConnectionEvent}. It registers on the connection when created and publishes
 * {@link State#CONNECTED} when the application context starts (once its listeners are registered);
 * {@link #close()} unregisters it.
 */
public class ConnectionStateEvents implements ConnectionListener, SmartLifecycle, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionStateEvents.class);

	private final Connection connection;

	private final Coordinator source;

	private final ApplicationEventPublisher publisher;

	private volatile String lastServer = "(none)";

	private volatile boolean running;

	private State state = State.CONNECTED;

	/**
	 * Registers on a connection.
	 * @param connection the coordinator's connection
	 * @param source the coordinator, the source of the events
	 * @param publisher where the events go
	 */
	public ConnectionStateEvents(Connection connection, Coordinator source, ApplicationEventPublisher publisher) {
		this.connection = Objects.requireNonNull(connection, "connection");
		this.source = Objects.requireNonNull(source, "source");
		this.publisher = Objects.requireNonNull(publisher, "publisher");
		connection.addConnectionListener(this);
	}

	/**
	 * Publishes that the connection is up, if it is: the connection was made before the context's listeners were.
	 * Changes before this are logged, not published.
	 */
	@Override
	public void start() {
		synchronized (this) {
			if (this.running) {
				return;
			}
			this.running = true;
			if (this.connection.getStatus() != Connection.Status.CONNECTED) {
				// A DISCONNECTED or RECONNECTED change follows; it is published.
				return;
			}
			this.state = State.CONNECTED;
		}
		publish(State.CONNECTED);
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return EventLogContainer.DEFAULT_PHASE - 1;
	}

	@Override
	public void connectionEvent(Connection conn, Events type) {
		switch (type) {
			case DISCONNECTED -> changeTo(State.DISCONNECTED, () -> logger.warn("Disconnected from NATS at {}; "
					+ "reconnecting. Writes wait for the connection and events are delivered once it is back.",
					server()));
			case RECONNECTED -> changeTo(State.RECONNECTED, () -> logger.info("Reconnected to NATS at {}", server()));
			case CLOSED -> changeTo(State.CLOSED, () -> logger.info("NATS connection to {} closed", server()));
			case LAME_DUCK -> logger.info("NATS server {} is shutting down (lame duck mode); the client moves to "
					+ "another server of the cluster when there is one", server());
			default -> logger.debug("NATS connection event: {}", type);
		}
	}

	/**
	 * Logs and publishes a change of state; the client reports a disconnection again at every failed reconnect
	 * attempt, which is no change. Listeners are called outside the lock, so a slow one delays no other change.
	 */
	private void changeTo(State next, Runnable log) {
		synchronized (this) {
			if (next == this.state) {
				logger.debug("NATS connection still {}", next);
				return;
			}
			this.state = next;
		}
		log.run();
		if (this.running) {
			publish(next);
		}
	}

	private void publish(State state) {
		try {
			this.publisher.publishEvent(new CoordinatorConnectionEvent(this.source, state, server()));
		}
		catch (RuntimeException ex) {
			logger.error("A listener of the NATS connection's {} event threw; the connection is not affected", state,
					ex);
		}
	}

	/**
	 * Returns the server of the connection, or the last one while there is none, as {@code host:port}: never
	 * user information or tokens.
	 */
	private String server() {
		String url = this.connection.getConnectedUrl();
		if (url != null) {
			this.lastServer = hostAndPort(url);
		}
		return this.lastServer;
	}

	static String hostAndPort(String url) {
		try {
			URI uri = URI.create(url);
			if (uri.getHost() != null) {
				return (uri.getPort() < 0) ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
			}
		}
		catch (IllegalArgumentException ex) {
			// Fall through: not a URI.
		}
		int at = url.lastIndexOf('@');
		return (at < 0) ? url : url.substring(at + 1);
	}

	@Override
	public void close() {
		this.connection.removeConnectionListener(this);
	}

}
