package dev.coordinator.lock;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * What a lock's key holds while it is held: the holding node and the time it may go without renewing.
 *
 * @param holder the id of the node that holds it
 * @param ttlMillis how long after its last renewal the lock is free
 */
record LockRecord(String holder, long ttlMillis) {

	private static final ObjectMapper MAPPER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	byte[] toJson() {
		try {
			return MAPPER.writeValueAsBytes(this);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static LockRecord fromJson(byte[] json) {
		try {
			return MAPPER.readValue(json, LockRecord.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
