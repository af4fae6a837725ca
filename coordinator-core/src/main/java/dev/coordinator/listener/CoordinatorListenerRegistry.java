package dev.coordinator.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.core.annotation.AnnotationAwareOrderComparator;

/**
 * The {@link dev.coordinator.CoordinatorListener @CoordinatorListener} methods of an application context, in
 * {@code @Order} order, as the {@link EventDispatcher} calls them. Once a dispatcher took them over, the
 * application's event multicaster no longer calls them; until then (no coordinator runs, e.g. with
 * {@code coordinator.enabled=false}) they receive the {@code CoordinatorEvent}s published in the application,
 * filtered as the dispatcher would.
 */
public final class CoordinatorListenerRegistry {

	private volatile List<CoordinatorListenerMethodAdapter> listeners = List.of();

	private volatile boolean dispatched;

	/**
	 * Adds a listener.
	 * @param listener the listener
	 */
	public synchronized void register(CoordinatorListenerMethodAdapter listener) {
		listener.setRegistry(this);
		List<CoordinatorListenerMethodAdapter> all = new ArrayList<>(this.listeners);
		all.add(listener);
		AnnotationAwareOrderComparator.sort(all);
		this.listeners = List.copyOf(all);
	}

	/**
	 * Records that an {@link EventDispatcher} calls these listeners: from now on the multicaster does not.
	 */
	void dispatched() {
		this.dispatched = true;
	}

	/**
	 * Returns whether an {@link EventDispatcher} calls these listeners.
	 * @return whether they are dispatched
	 */
	public boolean isDispatched() {
		return this.dispatched;
	}

	/**
	 * Returns the listeners, ordered.
	 * @return the listeners
	 */
	public List<CoordinatorListenerMethodAdapter> listeners() {
		return this.listeners;
	}

	/**
	 * Returns the prefixes of the initial-state listeners, without those that a shorter one already covers.
	 * @return the prefixes, sorted
	 */
	public Set<String> initialStatePrefixes() {
		Set<String> all = new TreeSet<>();
		this.listeners.stream()
			.filter(CoordinatorListenerMethodAdapter::isInitialState)
			.forEach((listener) -> all.add(listener.getPrefix()));
		Set<String> minimal = new TreeSet<>();
		String covering = null;
		for (String prefix : all) {
			if (covering == null || !prefix.startsWith(covering)) {
				minimal.add(prefix);
				covering = prefix;
			}
		}
		return minimal;
	}

}
