package dev.coordinator.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.coordinator.CoordinatorEvent;
import dev.coordinator.Registration;

/**
 * The {@link dev.coordinator.Coordinator#watch watch} registrations of one coordinator, indexed by prefix.
 *
 * <p>Finding the watches of a key costs one hash look-up per distinct prefix length, however many watches
 * there are. Closing a registration removes it, and the prefix with it when it was the last.
 */
public final class WatchRegistry {

	private final Map<String, List<Watch>> byPrefix = new ConcurrentHashMap<>();

	/** Distinct prefix lengths in use, with how many prefixes have each length. */
	private final ConcurrentSkipListMap<Integer, Integer> prefixLengths = new ConcurrentSkipListMap<>();

	/**
	 * The keys of {@link #prefixLengths}, ascending, for {@link #matching} to walk without allocating: it runs
	 * for every event, registrations change rarely.
	 */
	private volatile int[] lengths = new int[0];

	/**
	 * Registers a handler for the events whose key starts with a prefix.
	 * @param prefix the key prefix
	 * @param handler the handler
	 * @return the registration, which removes the handler when closed
	 */
	public Registration register(String prefix, Consumer<CoordinatorEvent> handler) {
		Watch watch = new Watch(prefix, handler);
		this.byPrefix.compute(prefix, (key, watches) -> {
			if (watches == null) {
				this.prefixLengths.merge(prefix.length(), 1, Integer::sum);
				updateLengths();
				watches = new CopyOnWriteArrayList<>();
			}
			watches.add(watch);
			return watches;
		});
		return watch;
	}

	/**
	 * Takes {@link #prefixLengths} into {@link #lengths}; called after each change of it, and serialized, so
	 * that the last copy made follows the last change.
	 */
	private synchronized void updateLengths() {
		this.lengths = this.prefixLengths.keySet().stream().mapToInt(Integer::intValue).toArray();
	}

	/**
	 * Returns the watches whose prefix the key starts with, shorter prefixes first and in registration order
	 * per prefix.
	 * @param key the key of an event
	 * @return the matching watches
	 */
	public List<Watch> matching(String key) {
		List<Watch> handlers = null;
		for (int length : this.lengths) {
			if (length > key.length()) {
				break;
			}
			List<Watch> watches = this.byPrefix.get(key.substring(0, length));
			if (watches != null) {
				for (Watch watch : watches) {
					if (handlers == null) {
						handlers = new ArrayList<>(2);
					}
					handlers.add(watch);
				}
			}
		}
		return (handlers != null) ? handlers : List.of();
	}

	/**
	 * Returns how many registrations each prefix has.
	 * @return the number of registrations by prefix, sorted by prefix
	 */
	public SortedMap<String, Integer> registrationsByPrefix() {
		SortedMap<String, Integer> counts = new TreeMap<>();
		this.byPrefix.forEach((prefix, watches) -> {
			if (!watches.isEmpty()) {
				counts.put(prefix, watches.size());
			}
		});
		return counts;
	}

	/**
	 * Removes every registration.
	 */
	public void clear() {
		this.byPrefix.clear();
		this.prefixLengths.clear();
		updateLengths();
	}

	private void remove(Watch watch) {
		this.byPrefix.computeIfPresent(watch.prefix, (key, watches) -> {
			watches.remove(watch);
			if (!watches.isEmpty()) {
				return watches;
			}
			this.prefixLengths.computeIfPresent(key.length(), (length, count) -> (count > 1) ? count - 1 : null);
			updateLengths();
			return null;
		});
	}

	/**
	 * One registration.
	 */
	public final class Watch implements Registration {

		private final String prefix;

		private final Consumer<CoordinatorEvent> handler;

		private final AtomicBoolean closed = new AtomicBoolean();

		Watch(String prefix, Consumer<CoordinatorEvent> handler) {
			this.prefix = prefix;
			this.handler = handler;
		}

		/**
		 * Hands an event to the handler unless the registration was closed.
		 * @param event the event
		 */
		public void deliver(CoordinatorEvent event) {
			if (!this.closed.get()) {
				this.handler.accept(event);
			}
		}

		/**
		 * Returns the prefix this watch was registered for.
		 * @return the prefix
		 */
		public String prefix() {
			return this.prefix;
		}

		@Override
		public void close() {
			if (this.closed.compareAndSet(false, true)) {
				remove(this);
			}
		}

		@Override
		public String toString() {
			return "Watch[prefix=" + this.prefix + "]";
		}

	}

}
