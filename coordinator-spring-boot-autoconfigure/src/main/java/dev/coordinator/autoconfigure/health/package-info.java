/**
 * The coordinator's health indicator, for Spring Boot's health support.
 */
@NullMarked
package dev.coordinator.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
