/**
 * Public API of the coordinator: shared key-value state whose changes every node of a cluster receives
 * as {@link dev.coordinator.CoordinatorEvent}s.
 */
@NullMarked
package dev.coordinator;

import org.jspecify.annotations.NullMarked;
