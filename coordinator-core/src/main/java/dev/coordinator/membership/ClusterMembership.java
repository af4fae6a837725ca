package dev.coordinator.membership;

import java.util.Map;
import java.util.Optional;

/**
 * The members of the cluster as this node knows them: the records under the membership prefix, kept current
 * from the log. Consistent with what {@code @CoordinatorListener} methods of that prefix receive.
 */
public interface ClusterMembership {

	/**
	 * Returns the members, by node id.
	 * @return the members
	 */
	Map<String, Member> members();

	/**
	 * Returns this node as a member, once it registered.
	 * @return this node, or empty before it registered or while it has lost its lease
	 */
	Optional<Member> self();

	/**
	 * Returns whether a node is a member.
	 * @param nodeId the node's id
	 * @return whether it has a record
	 */
	default boolean isMember(String nodeId) {
		return members().containsKey(nodeId);
	}

}
