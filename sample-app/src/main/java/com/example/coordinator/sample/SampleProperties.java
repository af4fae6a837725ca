package com.example.coordinator.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sample node.
 *
 * @param role role whose leader the nodes elect
 * @param leaderTtl how long a leader that stopped renewing keeps the role
 * @param recentEvents how many of the latest events the page shows
 */
@ConfigurationProperties("sample")
public record SampleProperties(@DefaultValue("sample") String role, @DefaultValue("5s") Duration leaderTtl,
		@DefaultValue("50") int recentEvents) {
}
