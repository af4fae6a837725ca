package dev.coordinator;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the writers of a soak run did: attempted, acknowledged (by revision) and failed writes.
 */
final class SoakLedger {

	final LongAdder attempted = new LongAdder();

	final AtomicLong inFlight = new AtomicLong();

	/** Acknowledged writes: revision to {@code key=value}. */
	final Map<Long, String> acknowledged = new ConcurrentHashMap<>();

	final LongAdder failed = new LongAdder();

	/** Failed writes whose writer was told that they were not stored, as {@code key=value}. */
	final Set<String> reportedNotStored = ConcurrentHashMap.newKeySet();

	/** Writes that failed, as {@code key=value}: they may or may not have been stored. */
	final Set<String> failedWrites = ConcurrentHashMap.newKeySet();

	final Map<String, LongAdder> causes = new ConcurrentHashMap<>();

}

