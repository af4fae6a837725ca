/**
 * Micrometer Observation of the coordinator's writes and listener calls: traces and timers.
 */
@NullMarked
package dev.coordinator.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
