package com.example.coordinator.sample;

import java.time.Instant;

/**
 * What a node announces about itself under {@code /nodes/<node-id>}.
 *
 * @param nodeId the node's id
 * @param startedAt when it started
 */
public record Member(String nodeId, Instant startedAt) {
}
