package dev.coordinator.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.metrics.StartupStep;

/**
 * Starts a minimal Spring Boot application in a JVM of its own, prints how long the context took to start,
 * the CPU time the JVM had used by then and the creation times of the NATS beans, and stops. Run by scenario 5
 * in three variants: with the starter on the class path (connection, the coordinator's bucket check, then its
 * listener container's consumer), with jnats only and
 * {@code --spring.main.sources} naming {@link RawJnatsStartup} (connection, bucket status, consumer, by hand),
 * and with neither. It names no coordinator or jnats class, so it runs on each.
 */
public final class StartupProbe {

	/** Start of the line that reports the start time. */
	static final String REPORT = "context-start-nanos=";

	/** The connection's bean, the starter's and the raw jnats variant's. */
	static final String CONNECTION_BEAN = "natsConnection";

	/** The starter's coordinator, which checks the bucket when created. */
	static final String COORDINATOR_BEAN = "natsCoordinator";

	/** The raw jnats variant's bucket status. */
	static final String RAW_BUCKET_BEAN = "rawBucketStatus";

	/** The starter's listener container, which creates or resumes the node's durable consumer when created. */
	static final String CONTAINER_BEAN = "coordinatorEventLogContainer";

	/** The raw jnats variant's durable consumer. */
	static final String RAW_CONSUMER_BEAN = "rawLogConsumer";

	private static final String INSTANTIATE = "spring.beans.instantiate";

	private static final int STEPS = 10_000;

	private StartupProbe() {
	}

	/**
	 * Starts and stops the application.
	 * @param args Spring Boot properties such as {@code --coordinator.nats.servers=...}
	 */
	public static void main(String[] args) {
		BufferingApplicationStartup startup = new BufferingApplicationStartup(STEPS);
		long start = System.nanoTime();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ProbeApplication.class)
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.applicationStartup(startup)
			.run(args);
		long elapsed = System.nanoTime() - start;
		OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		long cpuNanos = (os instanceof com.sun.management.OperatingSystemMXBean bean) ? bean.getProcessCpuTime() : 0;
		String variant = context.containsBean(COORDINATOR_BEAN) ? "starter"
				: context.containsBean(RAW_CONSUMER_BEAN) ? "raw-jnats" : "none";
		context.close();
		List<StartupTimeline.TimelineEvent> events = startup.getBufferedTimeline().getEvents();
		long bucketNanos = ownNanos(events, "starter".equals(variant) ? COORDINATOR_BEAN : RAW_BUCKET_BEAN);
		System.out.println(REPORT + elapsed + " variant=" + variant + " connection-nanos="
				+ ownNanos(events, CONNECTION_BEAN) + " bucket-nanos=" + bucketNanos + " consumer-nanos="
				+ ownNanos(events, "starter".equals(variant) ? CONTAINER_BEAN : RAW_CONSUMER_BEAN) + " cpu-nanos="
				+ cpuNanos);
	}

	/**
	 * Returns how long creating a bean took, without the creation of the beans it depends on that were created
	 * for it, or 0 when there is no such bean.
	 */
	private static long ownNanos(List<StartupTimeline.TimelineEvent> events, String beanName) {
		StartupTimeline.TimelineEvent creation = beanCreation(events, beanName);
		if (creation == null) {
			return 0;
		}
		long nanos = creation.getDuration().toNanos();
		for (StartupTimeline.TimelineEvent event : events) {
			StartupStep step = event.getStartupStep();
			if (step.getName().equals(INSTANTIATE)
					&& Long.valueOf(creation.getStartupStep().getId()).equals(step.getParentId())) {
				nanos -= event.getDuration().toNanos();
			}
		}
		return nanos;
	}

	/**
	 * Returns the creation of a bean, its dependencies and initialisation included, or {@code null} when there is
	 * no such bean.
	 */
	private static StartupTimeline.@Nullable TimelineEvent beanCreation(List<StartupTimeline.TimelineEvent> events,
			String beanName) {
		for (StartupTimeline.TimelineEvent event : events) {
			StartupStep step = event.getStartupStep();
			if (step.getName().equals(INSTANTIATE)) {
				for (StartupStep.Tag tag : step.getTags()) {
					if (tag.getKey().equals("beanName") && tag.getValue().equals(beanName)) {
						return event;
					}
				}
			}
		}
		return null;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ProbeApplication {

	}

}
