package dev.coordinator.listener;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link KeyRevisionTable}: the operations {@link InitialStateTracker} needs, on keys that share a home slot or a
 * hash code, runs that wrap around the end of the table, growth and many keys.
 */
class KeyRevisionTableTests {

	@Test
	void putReplacesAndPutMaxKeepsTheNewerRevision() {
		KeyRevisionTable table = new KeyRevisionTable(0);
		assertThat(table.get("/a")).isEqualTo(KeyRevisionTable.ABSENT);
		table.put("/a", 5);
		assertThat(table.get("/a")).isEqualTo(5);
		table.put("/a", 3);
		assertThat(table.get("/a")).isEqualTo(3);
		table.putMax("/a", 2);
		assertThat(table.get("/a")).isEqualTo(3);
		table.putMax("/a", 9);
		assertThat(table.get("/a")).isEqualTo(9);
		table.putMax("/b", 0);
		assertThat(table.get("/b")).isZero();
		assertThat(table.size()).isEqualTo(2);
	}

	@Test
	void removeIfOlderRemovesOnlyAnOlderRevision() {
		KeyRevisionTable table = new KeyRevisionTable(4);
		table.put("/a", 5);
		assertThat(table.removeIfOlder("/a", 4)).isFalse();
		assertThat(table.removeIfOlder("/a", 5)).isFalse();
		assertThat(table.get("/a")).isEqualTo(5);
		assertThat(table.removeIfOlder("/a", 6)).isTrue();
		assertThat(table.get("/a")).isEqualTo(KeyRevisionTable.ABSENT);
		assertThat(table.size()).isZero();
		assertThat(table.removeIfOlder("/a", 7)).isFalse();
		assertThat(table.removeIfOlder("/never", 7)).isFalse();
	}

	@Test
	void keepsTheKeyInstanceItWasFirstGiven() {
		KeyRevisionTable table = new KeyRevisionTable(0);
		String first = new String("/shared");
		table.put(first, 1);
		table.putMax(new String("/shared"), 2);
		table.put(new String("/shared"), 3);
		List<String> keys = new ArrayList<>();
		table.forEachKey(keys::add);
		assertThat(keys).singleElement().isSameAs(first);
		assertThat(table.get("/shared")).isEqualTo(3);
	}

	@Test
	void rejectsANegativeRevision() {
		KeyRevisionTable table = new KeyRevisionTable(0);
		assertThatIllegalArgumentException().isThrownBy(() -> table.put("/a", -1))
			.withMessage("Revision of '/a' is -1; revisions are never negative");
		assertThat(table.size()).isZero();
	}

	@Test
	void keysWithTheSameHashCodeStayApartThroughRemovals() {
		// "Aa" and "BB" share a hash code, so every key below does: one run of 64 keys
		List<String> keys = sameHashCode(6);
		assertThat(keys).hasSize(64).extracting(String::hashCode).containsOnly(keys.get(0).hashCode());
		KeyRevisionTable table = new KeyRevisionTable(0);
		for (int i = 0; i < keys.size(); i++) {
			table.put(keys.get(i), i);
		}
		for (int i = 0; i < keys.size(); i += 2) {
			assertThat(table.removeIfOlder(keys.get(i), Long.MAX_VALUE)).isTrue();
		}
		assertThat(table.size()).isEqualTo(32);
		for (int i = 0; i < keys.size(); i++) {
			assertThat(table.get(keys.get(i))).isEqualTo((i % 2 == 0) ? KeyRevisionTable.ABSENT : i);
		}
	}

	@Test
	void removingFromARunThatWrapsAroundTheEndKeepsEveryOtherKeyReachable() {
		int capacity = KeyRevisionTable.capacityFor(5);
		// keys whose homes are the last three slots and the first, the last twice: one run that crosses the end of
		// the table, where some keys may move back over the end after a removal and others may not
		List<String> all = new ArrayList<>();
		for (int home : List.of(capacity - 3, capacity - 2, capacity - 1, capacity - 1, 0)) {
			all.add(keyWithHome(capacity, home, all));
		}
		assertRemovingAnyKeepsTheOthersReachable(all, all.size());
	}

	@Test
	void runsThatCrossFromOneChunkToTheNextOrAroundTheEndKeepEveryKeyReachable() {
		int keys = 50_000;
		int capacity = KeyRevisionTable.capacityFor(keys);
		int boundary = KeyRevisionTable.CHUNK_SLOTS;
		assertThat(capacity).as("three chunks, the last one partial").isBetween(2 * boundary + 1, 3 * boundary - 1);
		// one run across the boundary of the first two chunks, one across the end of the last chunk
		List<String> all = new ArrayList<>();
		for (int home : List.of(boundary - 2, boundary - 1, boundary - 1, boundary, capacity - 2, capacity - 1,
				capacity - 1, 0)) {
			all.add(keyWithHome(capacity, home, all));
		}
		assertRemovingAnyKeepsTheOthersReachable(all, keys);
	}

	/**
	 * Fills a table sized for a number of keys with some keys, removes each of them in turn from a fresh table,
	 * and checks that every other key keeps its revision and is still listed.
	 */
	private static void assertRemovingAnyKeepsTheOthersReachable(List<String> all, int sizedFor) {
		for (String removed : all) {
			KeyRevisionTable table = new KeyRevisionTable(sizedFor);
			for (int i = 0; i < all.size(); i++) {
				table.put(all.get(i), i + 1);
			}
			assertThat(table.removeIfOlder(removed, Long.MAX_VALUE)).isTrue();
			assertThat(table.size()).isEqualTo(all.size() - 1);
			for (int i = 0; i < all.size(); i++) {
				String key = all.get(i);
				assertThat(table.get(key)).as(key + " after removing " + removed)
					.isEqualTo(key.equals(removed) ? KeyRevisionTable.ABSENT : i + 1);
			}
			List<String> held = new ArrayList<>();
			table.forEachKey(held::add);
			assertThat(held).containsExactlyInAnyOrderElementsOf(all.stream().filter((key) -> key != removed).toList());
		}
	}

	@Test
	void growsPastItsSizeAndHoldsManyKeys() {
		KeyRevisionTable table = new KeyRevisionTable(0);
		int count = 200_000;
		for (int i = 0; i < count; i++) {
			table.putMax("/bench/keys/" + i, i);
		}
		assertThat(table.size()).isEqualTo(count);
		for (int i = 0; i < count; i += 3) {
			assertThat(table.removeIfOlder("/bench/keys/" + i, i + 1L)).isTrue();
		}
		for (int i = 0; i < count; i++) {
			assertThat(table.get("/bench/keys/" + i)).isEqualTo((i % 3 == 0) ? KeyRevisionTable.ABSENT : i);
		}
		Set<String> seen = new HashSet<>();
		table.forEachKey((key) -> assertThat(seen.add(key)).isTrue());
		assertThat(seen).hasSize(table.size()).hasSize(count - (count + 2) / 3);
	}

	@Test
	void agreesWithAHashMapOverRandomOperations() {
		Random random = new Random(7);
		for (int round = 0; round < 200; round++) {
			KeyRevisionTable table = new KeyRevisionTable(random.nextInt(20));
			Map<String, Long> model = new HashMap<>();
			int keySpace = 1 + random.nextInt(60);
			for (int op = 0; op < 2_000; op++) {
				String key = "/k/" + random.nextInt(keySpace);
				long revision = random.nextInt(100);
				switch (random.nextInt(4)) {
					case 0 -> {
						table.put(key, revision);
						model.put(key, revision);
					}
					case 1 -> {
						table.putMax(key, revision);
						model.merge(key, revision, Math::max);
					}
					case 2 -> {
						boolean older = model.containsKey(key) && model.get(key) < revision;
						assertThat(table.removeIfOlder(key, revision)).isEqualTo(older);
						if (older) {
							model.remove(key);
						}
					}
					default -> assertThat(table.get(key)).isEqualTo(model.getOrDefault(key, KeyRevisionTable.ABSENT));
				}
			}
			assertThat(table.size()).isEqualTo(model.size());
			Map<String, Long> held = new HashMap<>();
			table.forEachKey((key) -> held.put(key, table.get(key)));
			assertThat(held).isEqualTo(model);
		}
	}

	private static List<String> sameHashCode(int pairs) {
		List<String> keys = List.of("/");
		for (int i = 0; i < pairs; i++) {
			List<String> longer = new ArrayList<>();
			for (String key : keys) {
				longer.add(key + "Aa");
				longer.add(key + "BB");
			}
			keys = longer;
		}
		return keys;
	}

	private static String keyWithHome(int capacity, int home, List<String> taken) {
		for (int i = 0;; i++) {
			String key = "/wrap/" + i;
			if (KeyRevisionTable.home(key, capacity) == home && !taken.contains(key)) {
				return key;
			}
		}
	}

}
