package com.example.coordinator.sample;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.coordinator.Coordinator;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Announces this node under {@code /nodes/<node-id>} once the application is ready and withdraws it when
 * the application stops.
 */
@Component
public class MembershipAnnouncer {

	private static final Logger logger = LoggerFactory.getLogger(MembershipAnnouncer.class);

	private final Coordinator coordinator;

	private final SampleProperties properties;

	private final ScheduledExecutorService exitTimer = Executors.newSingleThreadScheduledExecutor();

	public MembershipAnnouncer(Coordinator coordinator, SampleProperties properties) {
		this.coordinator = coordinator;
		this.properties = properties;
	}

	@EventListener
	void join(ApplicationReadyEvent ready) {
		long revision = this.coordinator.putJson(memberKey(), new Member(this.coordinator.nodeId(), Instant.now()));
		logger.info("Announced {} at revision {}", memberKey(), revision);
		if (this.properties.greeting() != null) {
			this.coordinator.put("/config/greeting", this.properties.greeting().getBytes(StandardCharsets.UTF_8));
		}
		if (this.properties.runFor() != null) {
			ConfigurableApplicationContext context = ready.getApplicationContext();
			this.exitTimer.schedule(() -> System.exit(SpringApplication.exit(context)), this.properties.runFor().toMillis(),
					TimeUnit.MILLISECONDS);
		}
	}

	@PreDestroy
	void leave() {
		this.exitTimer.shutdown();
		if (this.coordinator.delete(memberKey())) {
			logger.info("Withdrew {}", memberKey());
		}
	}

	private String memberKey() {
		return "/nodes/" + this.coordinator.nodeId();
	}

}
