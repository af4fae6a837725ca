/**
 * Real nats-server processes for the coordinator's tests and benchmarks, on their own or through the
 * JUnit Jupiter extension {@link dev.coordinator.test.NatsServerExtension}.
 */
package dev.coordinator.test;
