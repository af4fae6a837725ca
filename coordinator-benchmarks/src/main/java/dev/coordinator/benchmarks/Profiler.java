package dev.coordinator.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.Nullable;

/**
 * Records a scenario with Java Flight Recorder's {@code profile} settings, sampling execution every millisecond,
 * when a directory was given, and
 * summarises where the CPU samples went: per thread, per top frame, and per first {@code dev.coordinator}
 * frame on the stack (what the library's own code costs, its callees included).
 */
final class Profiler {

	private static final int TOP = 12;

	private static final Duration SAMPLING_PERIOD = Duration.ofMillis(1);

	private final @Nullable Path directory;

	private final PrintStream out;

	Profiler(@Nullable Path directory, PrintStream out) {
		this.directory = directory;
		this.out = out;
	}

	<T> T record(String name, Callable<T> work) throws Exception {
		if (this.directory == null) {
			return work.call();
		}
		Files.createDirectories(this.directory);
		Path file = this.directory.resolve(name + ".jfr");
		T result;
		try (Recording recording = new Recording(profileConfiguration())) {
			recording.setName(name);
			// The profile settings sample every 10 to 20 ms, too coarse for a scenario that mostly waits.
			recording.enable("jdk.ExecutionSample").withPeriod(SAMPLING_PERIOD);
			recording.start();
			result = work.call();
			recording.stop();
			recording.dump(file);
		}
		summarise(file);
		return result;
	}

	private static Configuration profileConfiguration() throws IOException {
		try {
			return Configuration.getConfiguration("profile");
		}
		catch (ParseException ex) {
			throw new IOException("The JDK's JFR 'profile' settings cannot be read", ex);
		}
	}

	private void summarise(Path file) throws IOException {
		Map<String, Integer> threads = new HashMap<>();
		Map<String, Integer> topFrames = new HashMap<>();
		Map<String, Integer> libraryFrames = new HashMap<>();
		int samples = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
			if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
				continue;
			}
			samples++;
			threads.merge(threadGroup(event), 1, Integer::sum);
			RecordedStackTrace stack = event.getStackTrace();
			if (stack == null || stack.getFrames().isEmpty()) {
				continue;
			}
			topFrames.merge(method(stack.getFrames().get(0)), 1, Integer::sum);
			for (RecordedFrame frame : stack.getFrames()) {
				if (frame.isJavaFrame() && frame.getMethod().getType().getName().startsWith("dev.coordinator.")
						&& !frame.getMethod().getType().getName().startsWith("dev.coordinator.benchmarks.")) {
					libraryFrames.merge(method(frame), 1, Integer::sum);
					break;
				}
			}
		}
		this.out.printf(Locale.ROOT, "    JFR %s: %,d CPU samples%n", file, samples);
		print("threads", threads, samples);
		print("top frames (self)", topFrames, samples);
		print("library code, innermost dev.coordinator frame (with callees)", libraryFrames, samples);
	}

	private void print(String title, Map<String, Integer> counts, int samples) {
		this.out.println("      " + title + ":");
		List<Map.Entry<String, Integer>> top = counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
			.limit(TOP)
			.toList();
		for (Map.Entry<String, Integer> entry : top) {
			this.out.printf(Locale.ROOT, "        %5.1f%%  %s%n", 100.0 * entry.getValue() / Math.max(1, samples),
					entry.getKey());
		}
	}

	/**
	 * Returns a thread's name with its numbers dropped, so that a pool's threads count together.
	 */
	private static String threadGroup(RecordedEvent event) {
		RecordedThread thread = event.getThread("sampledThread");
		String name = (thread != null && thread.getJavaName() != null) ? thread.getJavaName() : "(unknown)";
		return name.replaceAll("\\d+", "#");
	}

	private static String method(RecordedFrame frame) {
		return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
	}

}
