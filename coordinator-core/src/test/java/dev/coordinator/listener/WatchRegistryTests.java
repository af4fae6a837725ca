package dev.coordinator.listener;

import java.util.List;

import dev.coordinator.Registration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WatchRegistryTests {

	private final WatchRegistry registry = new WatchRegistry();

	@Test
	void aKeyMatchesEveryPrefixItStartsWithShorterFirst() {
		this.registry.register("/nodes/node-1", (event) -> {
		});
		this.registry.register("/", (event) -> {
		});
		this.registry.register("/nodes/", (event) -> {
		});
		this.registry.register("/locks/", (event) -> {
		});
		this.registry.register("/nodes/node-1/and-more", (event) -> {
		});

		assertThat(prefixes("/nodes/node-1")).containsExactly("/", "/nodes/", "/nodes/node-1");
		assertThat(prefixes("/locks/a")).containsExactly("/", "/locks/");
		assertThat(prefixes("x")).isEmpty();
	}

	@Test
	void closingTheLastWatchOfALengthStopsMatchingIt() {
		Registration nodes = this.registry.register("/nodes/", (event) -> {
		});
		Registration locks = this.registry.register("/locks/", (event) -> {
		});
		this.registry.register("/", (event) -> {
		});

		nodes.close();
		assertThat(prefixes("/nodes/node-1")).containsExactly("/");
		assertThat(prefixes("/locks/a")).containsExactly("/", "/locks/");
		locks.close();
		assertThat(prefixes("/locks/a")).containsExactly("/");
		this.registry.register("/locks/", (event) -> {
		});
		assertThat(prefixes("/locks/a")).containsExactly("/", "/locks/");
		this.registry.clear();
		assertThat(prefixes("/locks/a")).isEmpty();
	}

	private List<String> prefixes(String key) {
		return this.registry.matching(key).stream().map(WatchRegistry.Watch::prefix).toList();
	}

}
