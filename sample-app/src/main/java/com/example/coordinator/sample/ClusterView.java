package com.example.coordinator.sample;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * This node's view of the cluster: the members stored under {@code /nodes/} when it started, kept up to
 * date from the events that follow; and a log of the shared configuration.
 */
@Component
public class ClusterView {

	private static final Logger logger = LoggerFactory.getLogger(ClusterView.class);

	private final Map<String, Member> members = new ConcurrentHashMap<>();

	@CoordinatorListener(prefix = "/nodes/", initialState = true)
	void onMemberChange(CoordinatorEvent event) {
		String nodeId = event.getKey().substring("/nodes/".length());
		if (event.getAction() == CoordinatorAction.PUT) {
			this.members.put(nodeId, event.valueAs(Member.class));
			logger.info("{} {} (revision {}){}; members: {}", nodeId, event.isReplay() ? "is a member" : "joined",
					event.getRevision(), event.isLocal() ? ", that is this node" : "", members());
		}
		else {
			this.members.remove(nodeId);
			logger.info("{} left (revision {}); members: {}", nodeId, event.getRevision(), members());
		}
	}

	@CoordinatorListener(prefix = "/config/", actions = CoordinatorAction.PUT)
	void onConfigChange(CoordinatorEvent event) {
		logger.info("{} is now '{}', set by {}", event.getKey(), new String(event.getValue()), event.getOrigin());
	}

	/**
	 * Returns the ids of the nodes this node knows to be members.
	 * @return the node ids, sorted
	 */
	public Set<String> members() {
		return new TreeSet<>(this.members.keySet());
	}

}
