package dev.coordinator;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Shared, cluster-wide key-value state whose every change is an event that each node receives.
 *
 * <p>Keys are paths such as {@code /nodes/node-1}: they start with {@code /} and consist of non-empty
 * segments separated by {@code /}. Each {@link #put} and {@link #delete} is stored and announced in one
 * write, so no change can be stored without its event. Every node receives the events of all nodes,
 * its own included, as {@link CoordinatorEvent}s: through {@link CoordinatorListener @CoordinatorListener}
 * methods and through {@link #watch} registrations.
 *
 * <p>Writes block until the server has stored them and throw {@link CoordinatorException} when it did not
 * confirm them. Invalid keys and values are rejected with an {@link IllegalArgumentException} before
 * anything is sent.
 */
public interface Coordinator {

	/**
	 * Returns the id of this node, which events written by it carry as their origin.
	 * @return this node's id
	 */
	String nodeId();

	/**
	 * Returns the codec that {@link #putJson} writes with and that the {@code valueAs} methods of this
	 * coordinator's events and entries read with.
	 * @return the JSON codec
	 */
	CoordinatorJsonCodec jsonCodec();

	/**
	 * Stores a value and notifies every node's listeners.
	 * @param key the key, e.g. {@code /nodes/node-1}
	 * @param value the value; an empty array is a value of its own
	 * @return the revision the write got, which is also its event's position in the log
	 */
	default long put(String key, byte[] value) {
		return put(key, value, true);
	}

	/**
	 * Stores a value.
	 * @param key the key
	 * @param value the value; an empty array is a value of its own
	 * @param notify whether listeners are notified; {@code false} stores the value silently
	 * @return the revision the write got
	 */
	long put(String key, byte[] value, boolean notify);

	/**
	 * Stores a value as JSON and notifies every node's listeners.
	 * @param key the key
	 * @param value the object to write with the {@link #jsonCodec() JSON codec}
	 * @return the revision the write got
	 * @throws IllegalArgumentException when the value cannot be written as JSON (nothing is sent)
	 * @see CoordinatorEntry#valueAs(Class)
	 */
	default long putJson(String key, Object value) {
		return put(key, JsonValues.write(jsonCodec(), key, value));
	}

	/**
	 * Stores a value and notifies every node's listeners without waiting for the server: many writes can be
	 * in flight at once. Writes issued from one thread are stored in the order they were issued, except that a
	 * write sent again after a lost acknowledgement may land after writes issued later.
	 * @param key the key
	 * @param value the value; an empty array is a value of its own
	 * @return the revision the write got, or a {@link CoordinatorException} when the server did not store it
	 * @throws IllegalArgumentException when the key or value is invalid (nothing is sent)
	 */
	CompletableFuture<Long> putAsync(String key, byte[] value);

	/**
	 * Stores a value as JSON and notifies every node's listeners without waiting for the server.
	 * @param key the key
	 * @param value the object to write with the {@link #jsonCodec() JSON codec}
	 * @return the revision the write got
	 * @throws IllegalArgumentException when the value cannot be written as JSON (nothing is sent)
	 * @see #putAsync(String, byte[])
	 */
	default CompletableFuture<Long> putJsonAsync(String key, Object value) {
		return putAsync(key, JsonValues.write(jsonCodec(), key, value));
	}

	/**
	 * Stores a value only when the key is absent (never written, or deleted), and notifies every node's
	 * listeners.
	 * @param key the key
	 * @param value the value
	 * @return the revision the write got
	 * @throws CoordinatorConflictException when the key exists; its current revision is in the exception
	 */
	default long create(String key, byte[] value) {
		return create(key, value, true);
	}

	/**
	 * Stores a value only when the key is absent (never written, or deleted).
	 * @param key the key
	 * @param value the value
	 * @param notify whether listeners are notified
	 * @return the revision the write got
	 * @throws CoordinatorConflictException when the key exists
	 */
	long create(String key, byte[] value, boolean notify);

	/**
	 * Stores a value only when the key still has the revision the caller read, and notifies every node's
	 * listeners: compare-and-set.
	 * @param key the key
	 * @param value the value
	 * @param expectedRevision the revision the key must have
	 * @return the revision the write got
	 * @throws CoordinatorConflictException when the key has another revision or is absent
	 */
	default long update(String key, byte[] value, long expectedRevision) {
		return update(key, value, expectedRevision, true);
	}

	/**
	 * Stores a value only when the key still has the revision the caller read: compare-and-set.
	 * @param key the key
	 * @param value the value
	 * @param expectedRevision the revision the key must have
	 * @param notify whether listeners are notified
	 * @return the revision the write got
	 * @throws CoordinatorConflictException when the key has another revision or is absent
	 */
	long update(String key, byte[] value, long expectedRevision, boolean notify);

	/**
	 * Deletes a key only when it still has the revision the caller read, and notifies every node's listeners.
	 * @param key the key
	 * @param expectedRevision the revision the key must have
	 * @return the revision of the deletion
	 * @throws CoordinatorConflictException when the key has another revision or is absent
	 */
	default long delete(String key, long expectedRevision) {
		return delete(key, expectedRevision, true);
	}

	/**
	 * Deletes a key only when it still has the revision the caller read.
	 * @param key the key
	 * @param expectedRevision the revision the key must have
	 * @param notify whether listeners are notified
	 * @return the revision of the deletion
	 * @throws CoordinatorConflictException when the key has another revision or is absent
	 */
	long delete(String key, long expectedRevision, boolean notify);

	/**
	 * Reads the current value of a key.
	 * @param key the key
	 * @return the entry, or empty when the key does not exist or was deleted
	 */
	Optional<CoordinatorEntry> get(String key);

	/**
	 * Deletes a key and notifies every node's listeners.
	 * @param key the key
	 * @return {@code true} when the key existed and was deleted, {@code false} when it was absent
	 */
	default boolean delete(String key) {
		return delete(key, true);
	}

	/**
	 * Deletes a key.
	 * @param key the key
	 * @param notify whether listeners are notified
	 * @return {@code true} when the key existed and was deleted, {@code false} when it was absent
	 */
	boolean delete(String key, boolean notify);

	/**
	 * Deletes every key that starts with a prefix, one key at a time, each with its own DELETE event that
	 * carries that key.
	 * @param prefix a plain string prefix of the keys to delete, e.g. {@code /nodes/}
	 * @return how many keys were deleted
	 */
	int deletePrefix(String prefix);

	/**
	 * Lists the keys that exist and start with a prefix.
	 * @param prefix a plain string prefix, e.g. {@code /nodes/}; {@code /} for all keys
	 * @return the keys, sorted
	 */
	List<String> keys(String prefix);

	/**
	 * Lists the entries whose keys start with a prefix.
	 * @param prefix a plain string prefix, e.g. {@code /nodes/}; {@code /} for all keys
	 * @return the entries, sorted by key
	 */
	List<CoordinatorEntry> list(String prefix);

	/**
	 * Returns a local view of the entries under a prefix: a copy held on this node, kept current from the log.
	 * @param prefix a plain string prefix of the keys, e.g. {@code /config/}
	 * @return the view, filled with the stored entries; close it when done
	 */
	CoordinatorView view(String prefix);

	/**
	 * Registers a handler for the events whose key starts with a prefix. The handler runs on the
	 * coordinator's consumer thread, after the {@code @CoordinatorListener} methods, and before the event
	 * is acknowledged.
	 * @param prefix a plain string prefix of the keys, e.g. {@code /nodes/}
	 * @param handler the handler
	 * @return the registration; closing it stops delivery to the handler and releases it
	 */
	Registration watch(String prefix, Consumer<CoordinatorEvent> handler);

}
