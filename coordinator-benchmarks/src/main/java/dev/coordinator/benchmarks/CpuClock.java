package dev.coordinator.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * CPU time used by the benchmark's nats-server processes (from {@code /proc}, Linux only) and by this JVM.
 */
final class CpuClock {

	/** Length of a clock tick of {@code /proc/PID/stat} (USER_HZ, 100 per second on Linux). */
	private static final long NANOS_PER_TICK = 10_000_000L;

	private final List<Path> serverStats;

	private CpuClock(List<Path> serverStats) {
		this.serverStats = serverStats;
	}

	/**
	 * Returns a clock of the nats-server that this JVM started to listen on the port of a URL; without such a
	 * process (or without {@code /proc}) the server's time reads 0.
	 * @param serverUrl the server's URL, e.g. {@code nats://127.0.0.1:41234}
	 */
	static CpuClock forServer(String serverUrl) {
		return forServers(List.of(serverUrl));
	}

	/**
	 * Returns a clock of the nats-servers that this JVM started to listen on the ports of some URLs, whose
	 * server time is the sum of theirs.
	 * @param serverUrls the servers' URLs
	 */
	static CpuClock forServers(List<String> serverUrls) {
		List<String> ports = serverUrls.stream().map((url) -> String.valueOf(URI.create(url).getPort())).toList();
		List<Path> stats = ProcessHandle.current()
			.children()
			.filter((process) -> process.info().command().orElse("").endsWith("nats-server"))
			.filter((process) -> ports.stream().anyMatch((port) -> isListeningOn(process, port)))
			.map((process) -> Paths.get("/proc/" + process.pid() + "/stat"))
			.filter(Files::isReadable)
			.toList();
		return new CpuClock(stats);
	}

	private static boolean isListeningOn(ProcessHandle process, String port) {
		List<String> arguments = List.of(process.info().arguments().orElse(new String[0]));
		int flag = arguments.indexOf("-p");
		return flag >= 0 && flag + 1 < arguments.size() && arguments.get(flag + 1).equals(port);
	}

	boolean available() {
		return !this.serverStats.isEmpty();
	}

	/**
	 * Returns the user and system CPU time of the servers so far, in nanoseconds, at the resolution of a clock
	 * tick (10 ms).
	 */
	long serverNanos() throws IOException {
		long ticks = 0;
		for (Path serverStat : this.serverStats) {
			String stat = Files.readString(serverStat);
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		return ticks * NANOS_PER_TICK;
	}

	/**
	 * Returns the CPU time of this JVM so far, in nanoseconds.
	 */

	long jvmNanos() {
		OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
		return (bean instanceof com.sun.management.OperatingSystemMXBean os) ? os.getProcessCpuTime() : 0;
	}

}
