package dev.coordinator;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.coordinator.membership.ClusterMembership;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A node for {@link UpgradeCompatibilityTests}, run in a JVM of its own on the jars of an earlier commit: it uses
 * only API that every release has. {@code args} are its properties. It prints {@value #READY} once it runs, one
 * {@code EVENT} line per change it receives, and answers commands read from standard input, one a line:
 * {@code put <key>}, {@code delete <key>}, {@code keys <prefix>}, {@code list <prefix>}, {@code members}.
 */
public final class UpgradeNode {

	static final String READY = "UPGRADE NODE READY";

	/** What each node writes under its key: java.time values, a list, and a duration (numbers before ISO). */
	static UpgradeValue value(String writer) {
		return new UpgradeValue(writer, Instant.parse("2025-01-31T10:15:30.5Z"), Duration.ofSeconds(90),
				List.of("a", "b"));
	}

	private UpgradeNode() {
	}

	public static void main(String[] args) throws Exception {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(NodeConfiguration.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(args)
			.run();
		Coordinator coordinator = context.getBean(Coordinator.class);
		System.out.println(READY + " " + coordinator.nodeId());
		System.out.flush();
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = commands.readLine()) != null) {
			String[] command = line.split(" ", 2);
			String argument = (command.length > 1) ? command[1] : "";
			String answer = switch (command[0]) {
				case "put" -> "PUT " + argument + " " + coordinator.putJson(argument, value(coordinator.nodeId()));
				case "delete" -> "DELETE " + argument + " " + coordinator.delete(argument);
				case "keys" -> "KEYS " + String.join(",", coordinator.keys(argument));
				case "list" -> "LIST " + coordinator.list(argument)
					.stream()
					.map((entry) -> entry.key() + "@" + entry.revision())
					.collect(Collectors.joining(","));
				case "members" -> "MEMBERS " + String.join(",",
						new TreeSet<>(context.getBean(ClusterMembership.class).members().keySet()));
				default -> "UNKNOWN " + line;
			};
			System.out.println(answer);
			System.out.flush();
		}
		context.close();
	}

	/**
	 * A value as applications store them.
	 *
	 * @param writer the node that wrote it
	 * @param at a point in time
	 * @param ttl a duration
	 * @param tags a list
	 */
	record UpgradeValue(String writer, Instant at, Duration ttl, List<String> tags) {
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class NodeConfiguration {

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

	/**
	 * Prints every change it receives, with the value read as an {@link UpgradeValue}.
	 */
	static class Listener {

		@CoordinatorListener
		void onChange(CoordinatorEvent event) {
			String value = (event.getAction() == CoordinatorAction.PUT && event.getKey().startsWith("/values/"))
					? event.valueAs(UpgradeValue.class).toString() : "-";
			System.out.println("EVENT " + event.getKey() + " " + event.getAction() + " " + event.getOrigin() + " "
					+ value);
			System.out.flush();
		}

	}

}
