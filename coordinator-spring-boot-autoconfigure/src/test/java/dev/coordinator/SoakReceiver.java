package dev.coordinator;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;

/**
 * What one node's watch handler received in a soak run. It runs on the node's coordinator thread, one event at a time.
 * Every write has a value of its own, so a write received twice is recognised by its key and value.
 */
class SoakReceiver {

	/** Anomalies of each kind described in the report, at most. */
	static final int SAMPLES = 5;

	final NatsCoordinator coordinator;

	final EventLogContainer container;

	final LongAdder received = new LongAdder();

	final LongAdder duplicated = new LongAdder();

	final LongAdder outOfOrder = new LongAdder();

	/** Revisions received again with another write: the server lost the first one in a crash. */
	final LongAdder reusedRevisions = new LongAdder();

	/** The first anomalies of each kind, described. */
	final Map<String, List<String>> samples = new ConcurrentHashMap<>();

	/** Received events: revision to {@code key=value} (the later one where a revision was reused). */
	final Map<Long, String> byRevision = new ConcurrentHashMap<>();

	/** Received writes, {@code key=value}, with the revision they came with first. */
	final Map<String, Long> writes = new ConcurrentHashMap<>();

	final Map<String, Long> lastRevisionOfKey = new ConcurrentHashMap<>();

	SoakReceiver(NatsCoordinator coordinator, EventLogContainer container) {
		this.container = container;
		this.coordinator = coordinator;
	}

	void receive(CoordinatorEvent event) {
		this.received.increment();
		long revision = event.getRevision();
		String write = event.getKey() + "=" + new String(event.getValue(), StandardCharsets.UTF_8);
		String earlier = this.byRevision.put(revision, write);
		if (earlier != null && !earlier.equals(write)) {
			this.reusedRevisions.increment();
			sample("reused", "revision %d reused for %s, first received with %s", revision, write, earlier);
		}
		Long first = this.writes.putIfAbsent(write, revision);
		if (first != null) {
			this.duplicated.increment();
			sample("duplicated", "received twice: %s at revision %d, first at %d; key's last revision then %d", write,
					revision, first, this.lastRevisionOfKey.get(event.getKey()));
			return;
		}
		Long last = this.lastRevisionOfKey.get(event.getKey());
		if (last != null && last > revision) {
			this.outOfOrder.increment();
			sample("out of order", "out of order: %s at revision %d after revision %d of its key", write, revision,
					last);
		}
		else {
			this.lastRevisionOfKey.put(event.getKey(), revision);
		}
	}

	void sample(String kind, String format, Object... arguments) {
		List<String> described = this.samples.computeIfAbsent(kind, (key) -> new CopyOnWriteArrayList<>());
		if (described.size() < SAMPLES) {
			described.add(String.format("%tT.%<tL ", System.currentTimeMillis()) + String.format(format, arguments));
		}
	}

	/** Acknowledged writes whose value this node received at no revision at all. */
	List<String> neverReceived(SoakLedger ledger) {
		return ledger.acknowledged.values()
			.stream()
			.filter((write) -> !this.writes.containsKey(write))
			.sorted()
			.toList();
	}

	/** Acknowledged writes not received at their revision. */
	List<Long> lostRevisions(SoakLedger ledger) {
		return ledger.acknowledged.entrySet()
			.stream()
			.filter((write) -> !write.getValue().equals(this.byRevision.get(write.getKey())))
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
	}

	long lost(SoakLedger ledger) {
		return lostRevisions(ledger).size();
	}

	boolean hasLaterRevisionOfKey(SoakLedger ledger, long revision) {
		String write = ledger.acknowledged.get(revision);
		Long last = this.lastRevisionOfKey.get(write.substring(0, write.indexOf('=')));
		return last != null && last > revision;
	}

	/** Received events of acknowledged writes at another revision than the acknowledged one. */
	long phantoms(SoakLedger ledger) {
		Set<String> acknowledged = Set.copyOf(ledger.acknowledged.values());
		return this.byRevision.entrySet()
			.stream()
			.filter((event) -> !event.getValue().equals(ledger.acknowledged.get(event.getKey()))
					&& acknowledged.contains(event.getValue()))
			.count();
	}

	/** Received events that no writer wrote. */
	long unexpected(SoakLedger ledger) {
		Set<String> acknowledged = Set.copyOf(ledger.acknowledged.values());
		return this.byRevision.values()
			.stream()
			.filter((write) -> !acknowledged.contains(write) && !ledger.failedWrites.contains(write))
			.count();
	}

	long reportedNotStoredButReceived(SoakLedger ledger) {
		return this.byRevision.values().stream().filter(ledger.reportedNotStored::contains).count();
	}

	long failedButReceived(SoakLedger ledger) {
		return this.byRevision.values().stream().filter(ledger.failedWrites::contains).count();
	}

}

