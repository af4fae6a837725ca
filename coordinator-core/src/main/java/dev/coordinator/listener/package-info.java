/**
 * Spring wiring of {@link dev.coordinator.CoordinatorListener @CoordinatorListener} methods, modelled on
 * {@code @TransactionalEventListener}: a listener factory and a method adapter that filters by key prefix
 * and action and isolates failures.
 */
@NullMarked
package dev.coordinator.listener;

import org.jspecify.annotations.NullMarked;
