package dev.coordinator;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the coordinator's connection to NATS changes state: connected (once, at start-up),
 * disconnected, reconnected or closed. While disconnected, writes wait for the connection (up to their timeout)
 * and events arrive once it is back; nothing is lost. Listeners are called on the NATS client's callback
 * thread: they must not block (hand long work to an executor, e.g. with {@code @Async}).
 */
public class CoordinatorConnectionEvent extends ApplicationEvent {

	private final State state;

	private final String server;

	/**
	 * Creates an event.
	 * @param source the coordinator
	 * @param state the state the connection is now in
	 * @param server the server it is (or was last) connected to, as {@code host:port}, without credentials
	 */
	public CoordinatorConnectionEvent(Coordinator source, State state, String server) {
		super(source);
		this.state = state;
		this.server = server;
	}

	/**
	 * Returns the state the connection is now in.
	 * @return the state
	 */
	public State getState() {
		return this.state;
	}

	/**
	 * Returns the server the connection is (or was last) connected to, as {@code host:port}, never with
	 * credentials.
	 * @return the server
	 */
	public String getServer() {
		return this.server;
	}

	@Override
	public String toString() {
		return "CoordinatorConnectionEvent[" + this.state + " " + this.server + "]";
	}

	/**
	 * States of the connection to NATS.
	 */
	public enum State {

		/** Connected at start-up. */
		CONNECTED,

		/** The connection was lost; the client reconnects. */
		DISCONNECTED,

		/** The connection is back, possibly to another server of the cluster. */
		RECONNECTED,

		/** The connection was closed after reconnecting failed for good ({@code coordinator.nats.max-reconnects}). */
		CLOSED

	}

}
