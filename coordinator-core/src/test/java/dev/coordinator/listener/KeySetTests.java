package dev.coordinator.listener;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeySet}: the operations {@link InitialStateTracker} needs, on keys that share a home slot or a hash code,
 * runs that wrap around the end of the set or cross from one chunk to the next, growth and many keys.
 */
class KeySetTests {

	@Test
	void addsRemovesAndCountsKeys() {
		KeySet keys = new KeySet(0);
		assertThat(keys.contains("/a")).isFalse();
		assertThat(keys.add("/a")).isTrue();
		assertThat(keys.add("/a")).isFalse();
		assertThat(keys.add("/b")).isTrue();
		assertThat(keys.contains("/a")).isTrue();
		assertThat(keys.size()).isEqualTo(2);
		assertThat(keys.remove("/a")).isTrue();
		assertThat(keys.remove("/a")).isFalse();
		assertThat(keys.remove("/never")).isFalse();
		assertThat(keys.contains("/a")).isFalse();
		assertThat(keys.size()).isEqualTo(1);
	}

	@Test
	void keepsTheKeyInstanceItWasFirstGiven() {
		KeySet keys = new KeySet(0);
		String first = new String("/shared");
		keys.add(first);
		keys.add(new String("/shared"));
		List<String> held = new ArrayList<>();
		keys.forEach(held::add);
		assertThat(held).singleElement().isSameAs(first);
	}

	@Test
	void keysWithTheSameHashCodeStayApartThroughRemovals() {
		// "Aa" and "BB" share a hash code, so every key below does: one run of 64 keys
		List<String> all = sameHashCode(6);
		assertThat(all).hasSize(64).extracting(String::hashCode).containsOnly(all.get(0).hashCode());
		KeySet keys = new KeySet(0);
		all.forEach(keys::add);
		for (int i = 0; i < all.size(); i += 2) {
			assertThat(keys.remove(all.get(i))).isTrue();
		}
		assertThat(keys.size()).isEqualTo(32);
		for (int i = 0; i < all.size(); i++) {
			assertThat(keys.contains(all.get(i))).isEqualTo(i % 2 != 0);
		}
	}

	@Test
	void removingFromARunThatWrapsAroundTheEndKeepsEveryOtherKeyReachable() {
		int capacity = KeySet.capacityFor(5);
		// keys whose homes are the last three slots and the first, the last twice: one run that crosses the end of
		// the set, where some keys may move back over the end after a removal and others may not
		List<String> all = new ArrayList<>();
		for (int home : List.of(capacity - 3, capacity - 2, capacity - 1, capacity - 1, 0)) {
			all.add(keyWithHome(capacity, home, all));
		}
		assertRemovingAnyKeepsTheOthersReachable(all, all.size());
	}

	@Test
	void runsThatCrossFromOneChunkToTheNextOrAroundTheEndKeepEveryKeyReachable() {
		int expected = 50_000;
		int capacity = KeySet.capacityFor(expected);
		int boundary = KeySet.CHUNK_SLOTS;
		assertThat(capacity).as("three chunks, the last one partial").isBetween(2 * boundary + 1, 3 * boundary - 1);
		// one run across the boundary of the first two chunks, one across the end of the last chunk
		List<String> all = new ArrayList<>();
		for (int home : List.of(boundary - 2, boundary - 1, boundary - 1, boundary, capacity - 2, capacity - 1,
				capacity - 1, 0)) {
			all.add(keyWithHome(capacity, home, all));
		}
		assertRemovingAnyKeepsTheOthersReachable(all, expected);
	}

	/**
	 * Fills a set sized for a number of keys with some keys, removes each of them in turn from a fresh set, and
	 * checks that every other key is still found and listed.
	 */
	private static void assertRemovingAnyKeepsTheOthersReachable(List<String> all, int sizedFor) {
		for (String removed : all) {
			KeySet keys = new KeySet(sizedFor);
			all.forEach(keys::add);
			assertThat(keys.remove(removed)).isTrue();
			assertThat(keys.size()).isEqualTo(all.size() - 1);
			for (String key : all) {
				assertThat(keys.contains(key)).as(key + " after removing " + removed).isEqualTo(!key.equals(removed));
			}
			List<String> held = new ArrayList<>();
			keys.forEach(held::add);
			assertThat(held).containsExactlyInAnyOrderElementsOf(all.stream().filter((key) -> key != removed).toList());
		}
	}

	@Test
	void growsPastItsSizeAndHoldsManyKeys() {
		KeySet keys = new KeySet(0);
		int count = 200_000;
		for (int i = 0; i < count; i++) {
			keys.add("/bench/keys/" + i);
		}
		assertThat(keys.size()).isEqualTo(count);
		for (int i = 0; i < count; i += 3) {
			assertThat(keys.remove("/bench/keys/" + i)).isTrue();
		}
		for (int i = 0; i < count; i++) {
			assertThat(keys.contains("/bench/keys/" + i)).isEqualTo(i % 3 != 0);
		}
		Set<String> seen = new HashSet<>();
		keys.forEach((key) -> assertThat(seen.add(key)).isTrue());
		assertThat(seen).hasSize(keys.size()).hasSize(count - (count + 2) / 3);
	}

	@Test
	void agreesWithAHashSetOverRandomOperations() {
		Random random = new Random(7);
		for (int round = 0; round < 200; round++) {
			KeySet keys = new KeySet(random.nextInt(20));
			Set<String> model = new HashSet<>();
			int keySpace = 1 + random.nextInt(60);
			for (int op = 0; op < 2_000; op++) {
				String key = "/k/" + random.nextInt(keySpace);
				switch (random.nextInt(3)) {
					case 0 -> assertThat(keys.add(key)).isEqualTo(model.add(key));
					case 1 -> assertThat(keys.remove(key)).isEqualTo(model.remove(key));
					default -> assertThat(keys.contains(key)).isEqualTo(model.contains(key));
				}
			}
			assertThat(keys.size()).isEqualTo(model.size());
			Set<String> held = new HashSet<>();
			keys.forEach(held::add);
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
			if (KeySet.home(key, capacity) == home && !taken.contains(key)) {
				return key;
			}
		}
	}

}
