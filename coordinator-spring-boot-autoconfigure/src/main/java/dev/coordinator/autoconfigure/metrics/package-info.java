/**
 * The coordinator's Micrometer metrics.
 */
@NullMarked
package dev.coordinator.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
