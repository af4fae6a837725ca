/**
 * Spring Boot auto-configuration of the coordinator and its {@code coordinator.*} properties.
 */
@NullMarked
package dev.coordinator.autoconfigure;

import org.jspecify.annotations.NullMarked;
