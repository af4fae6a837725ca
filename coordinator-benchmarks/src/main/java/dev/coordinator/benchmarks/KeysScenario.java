package dev.coordinator.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;
import dev.coordinator.CoordinatorSyncedEvent;
import dev.coordinator.nats.KeyCodec;
import io.nats.client.JetStream;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.NatsKeyValueWatchSubscription;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Scenario 7: a node starting on a bucket of 10,000, 100,000 and 1,000,000 keys of 100 bytes. Both sides are a
 * Spring Boot application starting: the library's is a context whose
 * {@code @CoordinatorListener(initialState = true)} holds the entries in a map, and the clock runs from starting
 * the context until its {@link CoordinatorSyncedEvent}; the raw one is the same context without the coordinator
 * ({@code coordinator.enabled=false}) that then connects and runs {@link KeyValue#watchAll} into the same kind of
 * map until the end of data (how long that watch alone took is shown too). Then {@link Coordinator#keys} /
 * {@link Coordinator#list} against watches collecting the keys (without values) and the entries until the end
 * of data. The heap a node holds per key is the used heap after a full GC with the node holding the state, less the
 * same with the node holding an empty bucket, divided by the keys. Counts above {@value #LARGE} keys take minutes
 * per round, so they are measured once per side without a warm-up round, and only when the heap can hold them;
 * counts up to {@value #SMALL} in more rounds.
 */
final class KeysScenario {

	private static final String KEY_PREFIX = LibraryNode.PREFIX + "keys/";

	/** Key counts above this are measured in one round per side, without a warm-up round. */
	static final int LARGE = 100_000;

	/**
	 * Key counts up to this start in about 200 ms, half of it the context's start, whose jitter then moves a
	 * side's median by a quarter: they are measured in twice the rounds and one more.
	 */
	static final int SMALL = 10_000;

	/**
	 * Heap a key count needs per key: both sides' state, a listing's entries and a resync's list of entries may
	 * be alive at once.
	 */
	private static final long HEAP_PER_KEY = 3_000;

	private KeysScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		BenchmarkOptions.Scale scale = run.options().scale();
		BenchmarkRun rounds = new BenchmarkRun(run.serverUrl(), run.options().withRounds(scale.keyRounds()),
				run.settings(), run.payload());
		long libraryOverhead = heapHeld(rounds, "s7empty", 0, true);
		long rawOverhead = heapHeld(rounds, "s7empty", 0, false);
		long maxHeap = Runtime.getRuntime().maxMemory();
		List<Integer> counts = scale.keyCounts().stream().filter((count) -> count * HEAP_PER_KEY <= maxHeap).toList();
		List<Integer> skipped = scale.keyCounts().stream().filter((count) -> !counts.contains(count)).toList();
		List<Count> measured = new ArrayList<>();
		for (int count : counts) {
			int countRounds = (count > LARGE) ? 1 : (count <= SMALL) ? 2 * scale.keyRounds() + 1 : scale.keyRounds();
			BenchmarkRun countRun = new BenchmarkRun(rounds.serverUrl(), rounds.options().withRounds(countRounds),
					rounds.settings(), rounds.payload());
			measured.add(measure(countRun, count, count <= LARGE, libraryOverhead, rawOverhead));
		}
		StringBuilder library = new StringBuilder();
		StringBuilder raw = new StringBuilder();
		StringBuilder ratios = new StringBuilder();
		List<Double> figures = new ArrayList<>();
		boolean met = true;
		for (int i = 0; i < counts.size(); i++) {
			Count count = measured.get(i);
			String separator = (i > 0) ? " / " : "";
			library.append(separator)
				.append(Stats.whole(counts.get(i)))
				.append(": sync ")
				.append(Stats.whole(count.sync().libraryMedian()))
				.append(" keys ")
				.append(Stats.whole(count.keys().libraryMedian()))
				.append(" list ")
				.append(Stats.whole(count.list().libraryMedian()))
				.append(" ms, ")
				.append(Stats.whole(count.heap().libraryMedian()))
				.append(" B/key");
			raw.append(separator)
				.append(Stats.whole(count.sync().rawMedian()))
				.append(" (watch ")
				.append(Stats.whole(count.watch()))
				.append(") / ")
				.append(Stats.whole(count.keys().rawMedian()))
				.append(" / ")
				.append(Stats.whole(count.list().rawMedian()))
				.append(" ms, ")
				.append(Stats.whole(count.heap().rawMedian()))
				.append(" B/key (data ")
				.append(Stats.whole(count.dataBytesPerKey()))
				.append(")");
			double heapOverData = count.heap().libraryMedian() / count.dataBytesPerKey();
			ratios.append(separator)
				.append("sync ")
				.append(Stats.ratio(count.sync().ratio()))
				.append(" keys ")
				.append(Stats.ratio(count.keys().ratio()))
				.append(" list ")
				.append(Stats.ratio(count.list().ratio()))
				.append(" heap/data ")
				.append(Stats.ratio(heapOverData));
			met &= count.sync().ratio() <= 1.5 && heapOverData <= 2;
			for (BenchmarkRun.Comparison comparison : List.of(count.sync(), count.keys(), count.list(), count.heap())) {
				figures.addAll(List.of(comparison.libraryMedian(), comparison.rawMedian(), comparison.ratio()));
			}
		}
		for (int count : skipped) {
			library.append(" / ")
				.append(Stats.whole(count))
				.append(": skipped, needs -Xmx")
				.append((count * HEAP_PER_KEY + (1L << 30) - 1) >> 30)
				.append("g");
		}
		List<String> labels = counts.stream().map(Stats::whole).toList();
		List<BarChart> charts = List.of(
				new BarChart("keys-initial-sync.svg", "Starting node: initial state complete", "keys of 100 bytes",
						"milliseconds", labels, measured.stream().map((count) -> count.sync().libraryMedian()).toList(),
						measured.stream().map((count) -> count.sync().rawMedian()).toList()),
				new BarChart("keys-heap.svg", "Heap held per key after a full GC", "keys of 100 bytes",
						"bytes per key", labels, measured.stream().map((count) -> count.heap().libraryMedian()).toList(),
						measured.stream().map((count) -> count.heap().rawMedian()).toList()));
		return new Result(7, "keys: initial sync, keys(), list(), heap", library.toString(), raw.toString(),
				ratios.toString(), "sync <= 1.50, heap <= 2x data", met, figures, charts);
	}

	/**
	 * Measures both sides on a bucket of a number of keys.
	 * @param warmUp whether each side runs a warm-up round first
	 */
	private static Count measure(BenchmarkRun run, int count, boolean warmUp, long libraryOverhead, long rawOverhead)
			throws Exception {
		String namespace = "s7k" + count;
		fill(run, namespace, count);
		long dataBytes = 0;
		for (int i = 0; i < count; i++) {
			dataBytes += (KEY_PREFIX + i).length() + BenchmarkRun.PAYLOAD_BYTES;
		}
		List<Double> libraryKeys = new ArrayList<>();
		List<Double> rawKeys = new ArrayList<>();
		List<Double> libraryList = new ArrayList<>();
		List<Double> rawList = new ArrayList<>();
		List<Double> libraryHeap = new ArrayList<>();
		List<Double> rawHeap = new ArrayList<>();
		List<Double> rawWatch = new ArrayList<>();
		int[] node = { 0 };
		BenchmarkRun.Measurement libraryRound = (warmUpRound) -> {
			long before = usedHeapAfterGc();
			long start = System.nanoTime();
			try (LibraryNode reader = LibraryNode.start(run.serverUrl(), namespace, "reader-" + node[0]++,
					run.settings(), StateConfiguration.class)) {
				StateHolder state = reader.bean(StateHolder.class);
				state.awaitSynced(count);
				double millis = (System.nanoTime() - start) / 1e6;
				long held = usedHeapAfterGc() - before - libraryOverhead;
				Coordinator coordinator = reader.coordinator();
				long keysStart = System.nanoTime();
				int keys = coordinator.keys(KEY_PREFIX).size();
				long listStart = System.nanoTime();
				int entries = coordinator.list(KEY_PREFIX).size();
				long listEnd = System.nanoTime();
				check(count, keys, entries);
				if (!warmUpRound) {
					libraryHeap.add((double) held / count);
					libraryKeys.add((listStart - keysStart) / 1e6);
					libraryList.add((listEnd - listStart) / 1e6);
				}
				return millis;
			}
		};
		BenchmarkRun.Measurement rawRound = (warmUpRound) -> {
			long before = usedHeapAfterGc();
			long start = System.nanoTime();
			try (LibraryNode application = LibraryNode.start(run.serverUrl(), namespace, "raw-application",
					run.settings(), RawApplicationConfiguration.class, "coordinator.enabled=false");
					RawNode reader = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-reader")) {
				long watchStart = System.nanoTime();
				KeyValue keyValue = reader.keyValue(namespace + "_raw");
				RawState state = new RawState(false);
				try (NatsKeyValueWatchSubscription watch = keyValue.watchAll(state, KeyValueWatchOption.IGNORE_DELETE)) {
					state.awaitEndOfData(count);
					long end = System.nanoTime();
					double millis = (end - start) / 1e6;
					long held = usedHeapAfterGc() - before - rawOverhead;
					long keysStart = System.nanoTime();
					int keys = rawKeys(keyValue).size();
					long listStart = System.nanoTime();
					int entries = rawList(keyValue).size();
					long listEnd = System.nanoTime();
					check(count, keys, entries);
					if (!warmUpRound) {
						rawHeap.add((double) held / count);
						rawWatch.add((end - watchStart) / 1e6);
						rawKeys.add((listStart - keysStart) / 1e6);
						rawList.add((listEnd - listStart) / 1e6);
					}
					return millis;
				}
			}
		};
		BenchmarkRun.Comparison sync = run.compare(warmUp, libraryRound, rawRound);
		return new Count(sync, new BenchmarkRun.Comparison(libraryKeys, rawKeys),
				new BenchmarkRun.Comparison(libraryList, rawList), new BenchmarkRun.Comparison(libraryHeap, rawHeap),
				Stats.median(rawWatch), (double) dataBytes / count);
	}

	/**
	 * Returns the heap a node holds after it synchronised a bucket of a number of keys, measured once.
	 */
	private static long heapHeld(BenchmarkRun run, String namespace, int count, boolean library) throws Exception {
		fill(run, namespace, count);
		long before = usedHeapAfterGc();
		if (library) {
			try (LibraryNode reader = LibraryNode.start(run.serverUrl(), namespace, "reader", run.settings(),
					StateConfiguration.class)) {
				reader.bean(StateHolder.class).awaitSynced(count);
				return usedHeapAfterGc() - before;
			}
		}
		try (LibraryNode application = LibraryNode.start(run.serverUrl(), namespace, "raw-application",
				run.settings(), RawApplicationConfiguration.class, "coordinator.enabled=false");
				RawNode reader = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-reader")) {
			RawState state = new RawState(false);
			try (NatsKeyValueWatchSubscription watch = reader.keyValue(namespace + "_raw")
				.watchAll(state, KeyValueWatchOption.IGNORE_DELETE)) {
				state.awaitEndOfData(count);
				return usedHeapAfterGc() - before;
			}
		}
	}

	/**
	 * Creates the library's bucket (by starting a node once) and the raw bucket, and writes the keys to both
	 * unless they hold them already.
	 */
	private static void fill(BenchmarkRun run, String namespace, int count) throws Exception {
		String rawBucket = namespace + "_raw";
		try (RawNode writer = RawNode.connect(run.serverUrl(), "raw-" + namespace + "-writer")) {
			if (writer.management().getStreamNames().contains("KV_" + namespace)) {
				return;
			}
			LibraryNode.start(run.serverUrl(), namespace, "creator", run.settings()).close();
			writer.createBucket(rawBucket, run.settings());
			JetStream jetStream = writer.jetStream();
			byte[] payload = run.payload();
			for (String bucket : List.of(namespace, rawBucket)) {
				Pipeline pipeline = new Pipeline(run.options().inFlight());
				for (int i = 0; i < count; i++) {
					String subject = "$KV." + bucket + "." + KeyCodec.encode(KEY_PREFIX + i);
					pipeline.submit(() -> jetStream.publishAsync(subject, payload));
				}
				pipeline.awaitAcknowledgements();
			}
		}
	}

	/**
	 * Lists the keys with a watch of the keys alone (no values) until the end of data. Not {@link KeyValue#keys()}:
	 * in jnats 2.26.2 it returns what arrived so far as soon as one message takes longer than the request timeout
	 * (714,120 of 1,000,000 keys in one run of this scenario); {@link Coordinator#keys} lists the same way.
	 */
	private static List<String> rawKeys(KeyValue keyValue) throws Exception {
		RawState entries = new RawState(true);
		try (NatsKeyValueWatchSubscription watch = keyValue.watchAll(entries, KeyValueWatchOption.META_ONLY,
				KeyValueWatchOption.IGNORE_DELETE)) {
			entries.awaitEndOfData(-1);
		}
		return entries.entries.stream().map(KeyValueEntry::getKey).toList();
	}

	private static List<KeyValueEntry> rawList(KeyValue keyValue) throws Exception {
		RawState entries = new RawState(true);
		try (NatsKeyValueWatchSubscription watch = keyValue.watchAll(entries, KeyValueWatchOption.IGNORE_DELETE)) {
			entries.awaitEndOfData(-1);
		}
		return entries.entries;
	}

	private static void check(int count, int keys, int entries) {
		if (keys != count || entries != count) {
			throw new IllegalStateException("Expected " + count + " keys and entries, got " + keys + " keys and "
					+ entries + " entries");
		}
	}

	/**
	 * Returns the used heap after two full collections.
	 */
	static long usedHeapAfterGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		memory.gc();
		memory.gc();
		return memory.getHeapMemoryUsage().getUsed();
	}

	/**
	 * The figures of one key count.
	 *
	 * @param sync ms until the initial state was complete
	 * @param keys ms of a listing of the keys
	 * @param list ms of a listing of the entries
	 * @param heap bytes of heap held per key
	 * @param watch ms of the raw side's watch alone, from connecting until the end of data
	 * @param dataBytesPerKey bytes of a key and its value
	 */
	private record Count(BenchmarkRun.Comparison sync, BenchmarkRun.Comparison keys, BenchmarkRun.Comparison list,
			BenchmarkRun.Comparison heap, double watch, double dataBytesPerKey) {
	}

	/**
	 * A raw watcher that holds the entries by key until the end of data, and all of them in a list when asked.
	 */
	private static final class RawState implements KeyValueWatcher {

		private final Map<String, byte[]> state = new HashMap<>();

		private final List<KeyValueEntry> entries = new ArrayList<>();

		private final CountDownLatch endOfData = new CountDownLatch(1);

		private final boolean collectEntries;

		RawState(boolean collectEntries) {
			this.collectEntries = collectEntries;
		}

		@Override
		public void watch(KeyValueEntry entry) {
			if (this.collectEntries) {
				this.entries.add(entry);
			}
			else {
				this.state.put(entry.getKey(), entry.getValue());
			}
		}

		@Override
		public void endOfData() {
			this.endOfData.countDown();
		}

		/**
		 * Waits for the end of data and checks that the state holds a number of keys ({@code -1}: no check).
		 */
		void awaitEndOfData(int count) throws InterruptedException {
			if (!this.endOfData.await(BenchmarkRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("No end of data within " + BenchmarkRun.TIMEOUT);
			}
			if (count >= 0 && this.state.size() != count) {
				throw new IllegalStateException("Raw watch held " + this.state.size() + " of " + count + " keys");
			}
		}

	}

	/**
	 * The raw side's application: the same auto-configured context, with the coordinator disabled.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class RawApplicationConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class StateConfiguration {

		@Bean
		StateHolder stateHolder() {
			return new StateHolder();
		}

	}

	/**
	 * An initial-state listener holding the entries by key, as an application's cache would.
	 */
	static class StateHolder {

		private final Map<String, byte[]> state = new HashMap<>();

		private final CountDownLatch synced = new CountDownLatch(1);

		@CoordinatorListener(prefix = KEY_PREFIX, initialState = true)
		void on(CoordinatorEvent event) {
			if (event.getValue() != null) {
				this.state.put(event.getKey(), event.getValue());
			}
			else {
				this.state.remove(event.getKey());
			}
		}

		@EventListener
		void synced(CoordinatorSyncedEvent event) {
			this.synced.countDown();
		}

		void awaitSynced(int count) throws InterruptedException {
			if (!this.synced.await(BenchmarkRun.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("The node did not synchronise within " + BenchmarkRun.TIMEOUT);
			}
			if (this.state.size() != count) {
				throw new IllegalStateException("The node held " + this.state.size() + " of " + count + " keys");
			}
		}

	}

}
