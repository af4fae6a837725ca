/**
 * Real nats-server processes for the coordinator's tests and benchmarks.
 */
package dev.coordinator.test;
