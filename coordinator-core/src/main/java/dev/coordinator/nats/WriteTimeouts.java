package dev.coordinator.nats;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * Fails asynchronous writes that were not acknowledged within the write timeout. The writes wait in one queue in
 * the order they were sent, which is the order of their deadlines since they share one timeout, and one thread
 * sweeps it every tenth of the timeout (at most every 100 ms): a write costs an append. ({@code orTimeout} on each
 * write scheduled a task on the JDK's shared delay queue and removed it again when the acknowledgement came,
 * under that queue's lock: 8 % of the acknowledging thread's time with pipelined writes.) The thread starts with
 * the first write and ends with {@link #close()}.
 */
final class WriteTimeouts implements AutoCloseable {

	private static final long MAX_TICK = TimeUnit.MILLISECONDS.toNanos(100);

	private final Duration timeout;

	private final long timeoutNanos;

	private final String threadName;

	private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

	private volatile @Nullable ScheduledExecutorService sweeper;

	private boolean closed;

	/**
	 * Creates the timeouts of a coordinator's writes.
	 * @param timeout how long a write waits for its acknowledgement
	 * @param threadName the name of the sweeping thread
	 */
	WriteTimeouts(Duration timeout, String threadName) {
		this.timeout = timeout;
		this.timeoutNanos = timeout.toNanos();
		this.threadName = threadName;
	}

	/**
	 * Fails a write with a {@link TimeoutException} unless it completes within the timeout.
	 * @param <T> the type of its result
	 * @param write the write's future
	 * @return the same future
	 */
	<T> CompletableFuture<T> watch(CompletableFuture<T> write) {
		startSweeping();
		this.pending.offer(new Pending(System.nanoTime() + this.timeoutNanos, write));
		return write;
	}

	private void startSweeping() {
		if (this.sweeper != null) {
			return;
		}
		synchronized (this) {
			if (this.sweeper != null || this.closed) {
				return;
			}
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (task) -> {
				Thread thread = new Thread(task, this.threadName);
				thread.setDaemon(true);
				return thread;
			});
			long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(MAX_TICK, this.timeoutNanos / 10));
			executor.scheduleWithFixedDelay(this::sweep, tick, tick, TimeUnit.NANOSECONDS);
			this.sweeper = executor;
		}
	}

	/**
	 * Drops the writes at the head of the queue that completed, and fails those whose deadline passed.
	 */
	void sweep() {
		long now = System.nanoTime();
		for (Pending head = this.pending.peek(); head != null; head = this.pending.peek()) {
			boolean due = now - head.deadline() >= 0;
			if (!due && !head.write().isDone()) {
				return;
			}
			this.pending.poll();
			if (!head.write().isDone()) {
				head.write().completeExceptionally(new TimeoutException("No acknowledgement within " + this.timeout));
			}
		}
	}

	/**
	 * Returns how many writes wait in the queue (acknowledged ones until the next sweep).
	 * @return the number of writes
	 */
	int waiting() {
		return this.pending.size();
	}

	/**
	 * Stops the sweeping thread. Writes still waiting complete when their connection closes.
	 */
	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.sweeper != null) {
			this.sweeper.shutdownNow();
		}
	}

	private record Pending(long deadline, CompletableFuture<?> write) {
	}

}
