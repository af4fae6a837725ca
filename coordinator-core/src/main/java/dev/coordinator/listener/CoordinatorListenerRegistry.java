package dev.coordinator.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.core.annotation.AnnotationAwareOrderComparator;

/**
 * The {@link dev.coordinator.CoordinatorListener @CoordinatorListener} methods of an application context, in
 * {@code @Order} order, as the {@link EventDispatcher} calls them.
 */
public final class CoordinatorListenerRegistry {

	private volatile List<CoordinatorListenerMethodAdapter> listeners = List.of();

	/**
	 * Adds a listener.
	 * @param listener the listener
	 */
	public synchronized void register(CoordinatorListenerMethodAdapter listener) {
		List<CoordinatorListenerMethodAdapter> all = new ArrayList<>(this.listeners);
		all.add(listener);
		AnnotationAwareOrderComparator.sort(all);
		this.listeners = List.copyOf(all);
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
