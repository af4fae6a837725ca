package dev.coordinator.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Keeps up to a number of asynchronous writes awaiting their acknowledgement, the way an application
 * pipelines writes: a new write is issued as soon as one is acknowledged.
 */
final class Pipeline {

	private final int depth;

	private final Semaphore permits;

	private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();

	Pipeline(int depth) {
		this.depth = depth;
		this.permits = new Semaphore(depth);
	}

	/**
	 * Issues a write once fewer than the pipeline's depth are awaiting their acknowledgement.
	 */
	void submit(Supplier<? extends CompletableFuture<?>> write) throws InterruptedException {
		this.permits.acquire();
		CompletableFuture<?> acknowledged;
		try {
			acknowledged = write.get();
		}
		catch (RuntimeException ex) {
			this.permits.release();
			throw ex;
		}
		acknowledged.whenComplete((result, ex) -> {
			if (ex != null) {
				this.failure.compareAndSet(null, ex);
			}
			this.permits.release();
		});
	}

	/**
	 * Waits until every write issued was acknowledged.
	 * @throws IllegalStateException when a write failed or the acknowledgements did not arrive in time
	 */
	void awaitAcknowledgements() throws InterruptedException {
		if (!this.permits.tryAcquire(this.depth, BenchmarkRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException((this.depth - this.permits.availablePermits())
					+ " writes were not acknowledged within " + BenchmarkRun.TIMEOUT);
		}
		this.permits.release(this.depth);
		Throwable failed = this.failure.getAndSet(null);
		if (failed != null) {
			throw new IllegalStateException("A pipelined write failed", failed);
		}
	}

}
