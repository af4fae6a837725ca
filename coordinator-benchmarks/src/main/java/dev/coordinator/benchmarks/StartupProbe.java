package dev.coordinator.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

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
 * the CPU time the JVM had used by then, how long creating the coordinator's NATS connection took and how
 * long setting up the coordinator took besides (bucket check, consumer), and stops. Run by scenario 5 with and
 * without the starter on the class path; it names no coordinator class, so it runs on either.
 */
public final class StartupProbe {

	/** Start of the line that reports the start time. */
	static final String REPORT = "context-start-nanos=";

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
		boolean coordinator = context.containsBean("natsCoordinator");
		context.close();
		StartupTimeline.TimelineEvent connection = beanCreation(startup, "natsConnection");
		StartupTimeline.TimelineEvent coordinatorBean = beanCreation(startup, "natsCoordinator");
		long connectionNanos = (connection != null) ? connection.getDuration().toNanos() : 0;
		long setupNanos = 0;
		if (coordinatorBean != null) {
			setupNanos = coordinatorBean.getDuration().toNanos();
			if (connection != null && !connection.getStartTime().isBefore(coordinatorBean.getStartTime())
					&& !connection.getEndTime().isAfter(coordinatorBean.getEndTime())) {
				setupNanos -= connectionNanos;
			}
		}
		System.out.println(REPORT + elapsed + " coordinator=" + coordinator + " connection-nanos=" + connectionNanos
				+ " setup-nanos=" + setupNanos + " cpu-nanos=" + cpuNanos);
	}

	/**
	 * Returns the creation of a bean, its dependencies and initialisation included, or {@code null} when there is
	 * no such bean.
	 */
	private static StartupTimeline.@Nullable TimelineEvent beanCreation(BufferingApplicationStartup startup,
			String beanName) {
		for (StartupTimeline.TimelineEvent event : startup.getBufferedTimeline().getEvents()) {
			StartupStep step = event.getStartupStep();
			if (step.getName().equals("spring.beans.instantiate")) {
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
