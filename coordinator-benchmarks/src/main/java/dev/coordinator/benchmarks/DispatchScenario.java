package dev.coordinator.benchmarks;

import java.util.ArrayList;
import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.Registration;
import dev.coordinator.nats.KeyCodec;
import dev.coordinator.nats.EventLogContainer;
import dev.coordinator.nats.NatsCoordinator;
import io.nats.client.JetStream;
import io.nats.client.MessageConsumer;

/**
 * Scenario 4: the rate at which a node delivers a backlog of events to {@link Coordinator#watch}
 * registrations, with 1, 100 and 10,000 registered prefixes and each event matching one of them, against a
 * raw durable consumer draining the same backlog. The backlog is written while the node's event delivery is
 * stopped; the clock runs from restarting delivery until the last event reached its watch.
 */
final class DispatchScenario {

	private DispatchScenario() {
	}

	static Result run(BenchmarkRun run) throws Exception {
		List<Integer> watchCounts = run.options().watchCounts();
		int events = run.options().dispatchEvents();
		byte[] payload = run.payload();
		Arrivals libraryArrivals = new Arrivals(1);
		Arrivals rawArrivals = new Arrivals(1);
		List<BenchmarkRun.Comparison> comparisons = new ArrayList<>();
		try (LibraryNode node = LibraryNode.start(run.serverUrl(), "s4", "reader", run.settings());
				RawNode writer = RawNode.connect(run.serverUrl(), "raw-s4-writer");
				RawNode rawReader = RawNode.connect(run.serverUrl(), "raw-s4-reader")) {
			NatsCoordinator coordinator = node.natsCoordinator();
			EventLogContainer container = node.container();
			container.stop();
			writer.createBucket("s4_raw", run.settings());
			rawReader.createConsumer("s4_raw", "reader", run.settings());
			JetStream jetStream = writer.jetStream();
			for (int watchCount : watchCounts) {
				String[] subjects = new String[events];
				String[] rawSubjects = new String[events];
				for (int i = 0; i < events; i++) {
					String kvKey = KeyCodec.encode("/w/" + (i % watchCount) + "/e" + i);
					subjects[i] = "$KV.s4." + kvKey;
					rawSubjects[i] = "$KV.s4_raw." + kvKey;
				}
				List<Registration> registrations = new ArrayList<>(watchCount);
				for (int i = 0; i < watchCount; i++) {
					registrations.add(coordinator.watch("/w/" + i + "/", (event) -> libraryArrivals.arrived(0)));
				}
				comparisons.add(run.compare((warmUp) -> {
					fill(run, writer, "s4", jetStream, subjects, payload);
					libraryArrivals.expect(events);
					long start = System.nanoTime();
					container.start();
					libraryArrivals.await("Library dispatch to " + watchCount + " watches");
					long end = System.nanoTime();
					container.stop();
					return Stats.perSecond(events, end - start);
				}, (warmUp) -> {
					fill(run, writer, "s4_raw", jetStream, rawSubjects, payload);
					rawArrivals.expect(events);
					long start = System.nanoTime();
					try (MessageConsumer consumer = rawReader.consume("s4_raw", "reader", run.settings(),
							(message) -> rawArrivals.arrived(0))) {
						rawArrivals.await("Raw dispatch");
						long end = System.nanoTime();
						return Stats.perSecond(events, end - start);
					}
				}));
				registrations.forEach(Registration::close);
			}
		}
		StringBuilder library = new StringBuilder();
		StringBuilder raw = new StringBuilder();
		StringBuilder ratios = new StringBuilder();
		List<Double> figures = new ArrayList<>();
		for (int i = 0; i < watchCounts.size(); i++) {
			BenchmarkRun.Comparison rates = comparisons.get(i);
			String separator = (i > 0) ? " / " : "";
			String count = Stats.whole(watchCounts.get(i)) + ": ";
			library.append(separator).append(count).append(Stats.whole(rates.libraryMedian()));
			raw.append(separator).append(Stats.whole(rates.rawMedian()));
			ratios.append(separator).append(Stats.ratio(rates.ratio()));
			figures.addAll(List.of(rates.libraryMedian(), rates.rawMedian(), rates.ratio()));
		}
		double baseline = comparisons.get(0).libraryMedian();
		double most = comparisons.get(comparisons.size() - 1).libraryMedian();
		double scaling = most / baseline;
		figures.add(scaling);
		String watches = "watches " + Stats.whole(watchCounts.get(watchCounts.size() - 1)) + " vs "
				+ Stats.whole(watchCounts.get(0));
		return new Result(4, "dispatch to watches (events/s)", library.toString(), raw.toString(), ratios.toString(),
				watches + " >= 0.50 (" + Stats.ratio(scaling) + ")", scaling >= 0.5, figures);
	}

	/**
	 * Empties a bucket's stream and writes a backlog to it as a program that is not a node would.
	 */
	private static void fill(BenchmarkRun run, RawNode writer, String bucket, JetStream jetStream, String[] subjects,
			byte[] payload) throws InterruptedException {
		writer.purge(bucket);
		Pipeline pipeline = new Pipeline(run.options().inFlight());
		for (String subject : subjects) {
			pipeline.submit(() -> jetStream.publishAsync(subject, payload));
		}
		pipeline.awaitAcknowledgements();
	}

}
