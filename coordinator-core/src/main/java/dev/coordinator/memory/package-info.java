/**
 * The coordinator held in one JVM, without a server: {@link dev.coordinator.memory.InMemoryCoordinator} nodes
 * sharing an {@link dev.coordinator.memory.InMemoryStore}, for tests and single-process applications
 * ({@code coordinator.backend=in-memory}).
 */
@NullMarked
package dev.coordinator.memory;

import org.jspecify.annotations.NullMarked;
