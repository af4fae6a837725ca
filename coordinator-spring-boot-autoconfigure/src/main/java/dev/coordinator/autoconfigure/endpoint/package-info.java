/**
 * The coordinator's actuator endpoint, for Spring Boot's actuator.
 */
@NullMarked
package dev.coordinator.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
