package com.example.coordinator.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample node.
 *
 * @param greeting value this node writes to {@code /config/greeting} when it starts, if any
 * @param runFor how long the node runs before it leaves the cluster and exits; unset to run until stopped
 */
@ConfigurationProperties("sample")
public record SampleProperties(String greeting, Duration runFor) {
}
