package dev.coordinator.membership;

import dev.coordinator.CoordinatorException;

/**
 * Thrown when a node starts while another live process renews the membership record of the same node id.
 */
public class DuplicateNodeIdException extends CoordinatorException {

	private final String nodeId;

	/**
	 * Creates an exception.
	 * @param nodeId the node id used twice
	 * @param key the membership record's key
	 */
	public DuplicateNodeIdException(String nodeId, String key) {
		super("Another live process renews the membership record '" + key + "' of node '" + nodeId
				+ "': two processes have the same node id");
		this.nodeId = nodeId;
	}

	/**
	 * Returns the node id used twice.
	 * @return the node id
	 */
	public String getNodeId() {
		return this.nodeId;
	}

}
