/**
 * The NATS JetStream implementation: a KV bucket holds the state and its stream is the log of
 * put/delete events, read by one durable consumer per node.
 */
@NullMarked
package dev.coordinator.nats;

import org.jspecify.annotations.NullMarked;
