package com.example.coordinator.sample;

import dev.coordinator.lock.CoordinatorLocks;
import dev.coordinator.lock.Leadership;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A web node of a demo cluster: it is a member ({@code coordinator.membership.enabled}), takes part in the
 * election of the leader of {@code sample.role}, serves REST endpoints for keys, members, the leader and the
 * locks, and a page that shows the cluster live.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	/**
	 * Takes part in the election of the sample's leader; started and stopped with the application.
	 * @param locks the coordinator's locks
	 * @param properties the sample's settings
	 * @return the leadership of {@code sample.role}
	 */
	@Bean
	Leadership sampleLeadership(CoordinatorLocks locks, SampleProperties properties) {
		return locks.leader(properties.role(), properties.leaderTtl());
	}

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
