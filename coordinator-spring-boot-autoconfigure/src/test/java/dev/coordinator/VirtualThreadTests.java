package dev.coordinator;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code spring.threads.virtual.enabled}: listeners run on a virtual reader thread on Java 21 or later; on
 * Java 17 the setting is reported once and changes nothing. {@code .ci/run} runs this class on a JDK 21+ too.
 */
@ExtendWith(OutputCaptureExtension.class)
class VirtualThreadTests {

	private static final String NOTICE = "virtual threads need Java 21 or later";

	@RegisterExtension
	final NatsServerExtension server = new NatsServerExtension();

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void listenersRunOnAVirtualReaderThreadWhenTheApplicationAsksForVirtualThreads(CapturedOutput output)
			throws Exception {
		Thread thread = listenerThread("spring.threads.virtual.enabled=true");
		assertThat(isVirtual(thread)).isTrue();
		assertThat(thread.getName()).isEqualTo("coordinator-virtual-events");
		assertThat(output.getOut()).doesNotContain(NOTICE);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void listenersRunOnAPlatformThreadByDefault() throws Exception {
		assertThat(isVirtual(listenerThread())).isFalse();
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void onJava17TheSettingIsReportedOnceAndChangesNothing(CapturedOutput output) {
		Thread thread = listenerThread("spring.threads.virtual.enabled=true");
		assertThat(thread.getName()).isEqualTo("coordinator-virtual-events");
		assertThat(output.getOut().split(NOTICE, -1)).hasSize(2);
	}

	private Thread listenerThread(String... properties) {
		try (TestNode node = TestNode.startWith(new Class<?>[] { Recording.class }, this.server.url(), "virtual",
				"node-1", properties)) {
			ThreadRecorder recorder = node.context().getBean(ThreadRecorder.class);
			node.coordinator().put("/threads/a", new byte[] { 1 });
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.thread.get() != null);
			return recorder.thread.get();
		}
	}

	private static boolean isVirtual(Thread thread) throws Exception {
		// Thread.isVirtual() exists from Java 21; the build targets 17.
		return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
	}

	@Configuration(proxyBeanMethods = false)
	static class Recording {

		@Bean
		ThreadRecorder threadRecorder() {
			return new ThreadRecorder();
		}

	}

	static class ThreadRecorder {

		final AtomicReference<Thread> thread = new AtomicReference<>();

		@CoordinatorListener(prefix = "/threads/")
		void onThread(CoordinatorEvent event) {
			this.thread.set(Thread.currentThread());
		}

	}

}
