package dev.coordinator.nats;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link WriteTimeouts}: writes not acknowledged in time fail, acknowledged ones are let go, and the sweeping
 * thread ends with {@code close()}.
 */
class WriteTimeoutsTests {

	@Test
	void aWriteWithoutAcknowledgementFailsAfterTheTimeoutAndAnAcknowledgedOneIsLetGo() throws Exception {
		try (WriteTimeouts timeouts = new WriteTimeouts(Duration.ofMillis(200), "test-write-timeouts")) {
			long start = System.nanoTime();
			CompletableFuture<Long> unanswered = timeouts.watch(new CompletableFuture<>());
			CompletableFuture<Long> acknowledged = timeouts.watch(new CompletableFuture<>());
			acknowledged.complete(7L);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(unanswered::get)
				.withCauseInstanceOf(TimeoutException.class)
				.withMessageContaining("No acknowledgement within PT0.2S");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(200),
					Duration.ofSeconds(2));
			assertThat(acknowledged.get()).isEqualTo(7L);
			await().until(() -> timeouts.waiting() == 0);
		}
	}

	@Test
	void acknowledgedWritesLeaveTheQueueBeforeTheirDeadline() {
		try (WriteTimeouts timeouts = new WriteTimeouts(Duration.ofMinutes(10), "test-write-timeouts")) {
			for (int i = 0; i < 1000; i++) {
				timeouts.watch(new CompletableFuture<>()).complete(null);
			}
			await().until(() -> timeouts.waiting() == 0);
		}
	}

	@Test
	void closingEndsTheSweepingThread() {
		WriteTimeouts timeouts = new WriteTimeouts(Duration.ofSeconds(5), "test-write-timeouts-closed");
		timeouts.watch(new CompletableFuture<>());
		assertThat(sweepingThreads()).isEqualTo(1);
		timeouts.close();
		await().until(() -> sweepingThreads() == 0);
	}

	private static long sweepingThreads() {
		return Thread.getAllStackTraces().keySet().stream()
			.filter((thread) -> thread.getName().equals("test-write-timeouts-closed"))
			.count();
	}

}
