package dev.coordinator.observation;

import java.util.function.Supplier;

/**
 * Marks writes that are housekeeping rather than work of the application (membership heartbeats, lock renewals):
 * writes made on the current thread inside {@link #call} are not observed, so that they neither start traces nor
 * count in the write timer every few seconds.
 */
public final class UnobservedWrites {

	private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();

	private UnobservedWrites() {
	}

	/**
	 * Runs writes without observing them.
	 * @param <T> the result type
	 * @param writes the writes
	 * @return what they return
	 */
	public static <T> T call(Supplier<T> writes) {
		if (isActive()) {
			return writes.get();
		}
		ACTIVE.set(Boolean.TRUE);
		try {
			return writes.get();
		}
		finally {
			ACTIVE.remove();
		}
	}

	/**
	 * Returns whether the current thread runs inside {@link #call}.
	 * @return whether writes are not to be observed now
	 */
	public static boolean isActive() {
		return ACTIVE.get() != null;
	}

}
