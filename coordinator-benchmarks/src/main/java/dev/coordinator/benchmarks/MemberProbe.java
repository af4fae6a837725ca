package dev.coordinator.benchmarks;

import java.util.concurrent.CountDownLatch;

import dev.coordinator.Coordinator;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A member node in a JVM of its own, which scenario 8 kills with SIGKILL: starts a Spring Boot node with the
 * properties given as arguments, prints {@value #READY} and its node id once it runs, and waits to be killed.
 */
public final class MemberProbe {

	/** Start of the line printed once the node runs. */
	static final String READY = "MEMBER READY ";

	private MemberProbe() {
	}

	/**
	 * Starts the node and waits.
	 * @param args Spring Boot properties such as {@code --coordinator.membership.enabled=true}
	 */
	public static void main(String[] args) throws InterruptedException {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(LibraryNode.NodeConfiguration.class)
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.run(args);
		System.out.println(READY + context.getBean(Coordinator.class).nodeId());
		System.out.flush();
		new CountDownLatch(1).await();
	}

}
