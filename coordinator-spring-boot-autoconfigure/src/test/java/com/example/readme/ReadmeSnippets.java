package com.example.readme;

import java.time.Instant;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorAction;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;

import org.springframework.aot.hint.annotation.RegisterReflectionForBinding;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The Java code that README.md shows, compiled: {@link ReadmeSnippetsTests} checks that every Java block of the
 * README appears as it is (tabs read as four spaces) here or in the testing examples of {@code com.example.orders},
 * and runs the quick start.
 */
final class ReadmeSnippets {

	private ReadmeSnippets() {
	}

}

// README: Quick start, "Write and listen"

record Member(String nodeId, Instant joinedAt) {
}

@Component
class Membership {

	private final Coordinator coordinator;

	Membership(Coordinator coordinator) {
		this.coordinator = coordinator;
	}

	@EventListener(ApplicationReadyEvent.class)
	void join() {
		coordinator.putJson("/nodes/" + coordinator.nodeId(), new Member(coordinator.nodeId(), Instant.now()));
	}

	@CoordinatorListener(prefix = "/nodes/")
	void onMemberChange(CoordinatorEvent event) {
		if (event.getAction() == CoordinatorAction.PUT) {
			Member member = event.valueAs(Member.class);
			// ...
		}
	}

}

// README: Native images

@Configuration(proxyBeanMethods = false)
@RegisterReflectionForBinding(Member.class)
class CoordinatorValueHints {
}
