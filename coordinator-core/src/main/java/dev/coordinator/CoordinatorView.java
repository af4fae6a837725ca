package dev.coordinator;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A read-only copy, held on this node, of the entries under a prefix, kept current from the log, as Curator's
 * {@code CuratorCache} or a Kubernetes informer's store: reads need no round trip to the server. It reflects
 * the stored state, silent writes ({@code notify = false}) included. Close it to stop keeping it current.
 */
public interface CoordinatorView extends AutoCloseable {

	/**
	 * Returns the prefix this view holds.
	 * @return the prefix
	 */
	String prefix();

	/**
	 * Returns an entry.
	 * @param key the key
	 * @return the entry, or empty when the key is absent (or not under the prefix)
	 */
	Optional<CoordinatorEntry> get(String key);

	/**
	 * Returns the entries, sorted by key.
	 * @return a snapshot of the entries
	 */
	Map<String, CoordinatorEntry> entries();

	/**
	 * Returns the revision of the log up to which this view contains every change.
	 * @return the revision
	 */
	long revision();

	/**
	 * Registers a callback told of every change to this view (a key added, changed or removed), silent writes
	 * included, on the coordinator's reader thread after the view was updated.
	 * @param callback the callback
	 * @return the registration; close it to stop the callback
	 */
	Registration onChange(Consumer<CoordinatorEvent> callback);

	/**
	 * Stops keeping the view current and releases it.
	 */
	@Override
	void close();

}
