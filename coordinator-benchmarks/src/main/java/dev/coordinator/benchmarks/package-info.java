/**
 * Benchmarks of the coordinator against raw jnats doing the same work on the same nats-server, run by
 * {@link dev.coordinator.benchmarks.CoordinatorBenchmark}; see {@code docs/benchmarks.md}.
 */
@NullMarked
package dev.coordinator.benchmarks;

import org.jspecify.annotations.NullMarked;
