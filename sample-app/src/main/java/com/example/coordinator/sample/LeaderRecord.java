package com.example.coordinator.sample;

/**
 * What the leader of a role writes under {@code /sample/leaders/<role>} when it is granted the role.
 *
 * @param nodeId the leader's node id
 * @param fencingToken the fencing token of its leadership, larger for every new leader
 */
public record LeaderRecord(String nodeId, long fencingToken) {
}
