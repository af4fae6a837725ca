/**
 * Micrometer Observation of the coordinator, modelled on spring-kafka's sender and receiver observations: a write
 * runs in a {@code coordinator.write} observation that puts its trace context into the message's headers, and each
 * listener call runs in a {@code coordinator.listener} observation whose parent is the writer's span. Nothing is
 * observed until an {@link io.micrometer.observation.ObservationRegistry} is set.
 */
@NullMarked
package dev.coordinator.observation;

import org.jspecify.annotations.NullMarked;
