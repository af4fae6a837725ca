package dev.coordinator;

import java.util.concurrent.CountDownLatch;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A node in a JVM of its own, for tests that kill it with SIGKILL: {@code args} are its properties. It prints
 * {@value #READY} once it runs, then waits until it is killed.
 */
public final class MemberProcess {

	static final String READY = "MEMBER READY";

	private MemberProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(TestNode.NodeConfiguration.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(args)
			.run();
		System.out.println(READY + " " + context.getBean(Coordinator.class).nodeId());
		System.out.flush();
		new CountDownLatch(1).await();
	}

}
