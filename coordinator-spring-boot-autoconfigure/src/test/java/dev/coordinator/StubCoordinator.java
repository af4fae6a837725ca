package dev.coordinator;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.coordinator.json.Jackson2JsonCodec;

/**
 * A {@link Coordinator} that has a node id and does nothing else, for tests about identity and wiring.
 */
public class StubCoordinator implements Coordinator {

	private final String nodeId;

	private final CoordinatorJsonCodec jsonCodec = new Jackson2JsonCodec();

	public StubCoordinator(String nodeId) {
		this.nodeId = nodeId;
	}

	@Override
	public String nodeId() {
		return this.nodeId;
	}

	@Override
	public CoordinatorJsonCodec jsonCodec() {
		return this.jsonCodec;
	}

	@Override
	public long put(String key, byte[] value, boolean notify) {
		throw new UnsupportedOperationException();
	}

	@Override
	public CompletableFuture<Long> putAsync(String key, byte[] value) {
		throw new UnsupportedOperationException();
	}

	@Override
	public long create(String key, byte[] value, boolean notify) {
		throw new UnsupportedOperationException();
	}

	@Override
	public long update(String key, byte[] value, long expectedRevision, boolean notify) {
		throw new UnsupportedOperationException();
	}

	@Override
	public long delete(String key, long expectedRevision, boolean notify) {
		throw new UnsupportedOperationException();
	}

	@Override
	public CoordinatorView view(String prefix) {
		throw new UnsupportedOperationException();
	}

	@Override
	public Optional<CoordinatorEntry> get(String key) {
		throw new UnsupportedOperationException();
	}

	@Override
	public boolean delete(String key, boolean notify) {
		throw new UnsupportedOperationException();
	}

	@Override
	public int deletePrefix(String prefix) {
		throw new UnsupportedOperationException();
	}

	@Override
	public List<String> keys(String prefix) {
		throw new UnsupportedOperationException();
	}

	@Override
	public List<CoordinatorEntry> list(String prefix) {
		throw new UnsupportedOperationException();
	}

	@Override
	public Registration watch(String prefix, Consumer<CoordinatorEvent> handler) {
		throw new UnsupportedOperationException();
	}

}
