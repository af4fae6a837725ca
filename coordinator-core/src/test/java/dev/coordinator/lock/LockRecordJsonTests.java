package dev.coordinator.lock;

import java.nio.charset.StandardCharsets;

import dev.coordinator.CoordinatorJsonCodec;
import dev.coordinator.json.Jackson2JsonCodec;
import dev.coordinator.json.Jackson3JsonCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lock records are written alike by both codecs (the token left out until there is one) and read by both.
 */
class LockRecordJsonTests {

	private final CoordinatorJsonCodec jackson2 = new Jackson2JsonCodec();

	private final CoordinatorJsonCodec jackson3 = new Jackson3JsonCodec();

	@Test
	void acquiringRecordHasNoToken() {
		LockRecord record = new LockRecord("node-1", 10000);
		assertThat(json(this.jackson2.write(record))).isEqualTo("{\"holder\":\"node-1\",\"ttlMillis\":10000}");
		assertThat(this.jackson3.write(record)).isEqualTo(this.jackson2.write(record));
	}

	@Test
	void renewedRecordCarriesItsToken() {
		LockRecord record = new LockRecord("node-1", 10000).withToken(7);
		byte[] written = this.jackson2.write(record);
		assertThat(json(written)).isEqualTo("{\"holder\":\"node-1\",\"ttlMillis\":10000,\"token\":7}");
		assertThat(this.jackson3.write(record)).isEqualTo(written);
		assertThat(this.jackson3.read(written, LockRecord.class)).isEqualTo(record);
		assertThat(this.jackson2.read(this.jackson3.write(record), LockRecord.class)).isEqualTo(record);
	}

	private static String json(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
