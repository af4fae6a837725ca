package dev.coordinator.membership;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorException;
import dev.coordinator.memory.InMemoryCoordinator;
import dev.coordinator.memory.InMemoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping membership interrupts a heartbeat that is still reading the members: that is the stop, not a failure
 * to report at WARN (as a benchmark's node closing mid-heartbeat did).
 */
@ExtendWith(OutputCaptureExtension.class)
class MembershipStopTests {

	@Test
	void aHeartbeatInterruptedByStopIsNotLoggedAsAFailure(CapturedOutput output) throws Exception {
		InMemoryCoordinator inMemory = new InMemoryCoordinator("node-1", new InMemoryStore());
		AtomicBoolean started = new AtomicBoolean();
		CountDownLatch listing = new CountDownLatch(1);
		// Lists as the in-memory coordinator does until started; then a heartbeat's listing waits, as a listing
		// waits for the server, until stop() interrupts it, and fails as NatsCoordinator's does
		Coordinator coordinator = (Coordinator) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { Coordinator.class }, (proxy, method, arguments) -> {
					if (method.getName().equals("list") && started.get()) {
						listing.countDown();
						try {
							Thread.sleep(60_000);
						}
						catch (InterruptedException ex) {
							throw new CoordinatorException("Listing entries under '/members/' failed after 1 attempts: "
									+ ex, ex);
						}
					}
					try {
						return method.invoke(inMemory, arguments);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
		CoordinatorMembership membership = new CoordinatorMembership(coordinator,
				new MembershipSettings("/members/", Duration.ofSeconds(2), Duration.ofMillis(50), Map.of()),
				(event) -> {
				}, () -> new Member("node-1", "localhost", null, Instant.now(), Map.of()));
		membership.start();
		started.set(true);
		assertThat(listing.await(10, TimeUnit.SECONDS)).isTrue();
		membership.stop();
		inMemory.destroy();
		assertThat(output).doesNotContain("Looking for expired members").doesNotContain("Renewing the membership");
	}

}
