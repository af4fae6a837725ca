package dev.coordinator.lock;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;

/**
 * What a lock's key holds while it is held: the holding node, the time it may go without renewing, and from
 * the first renewal on the fencing token (until then the record's own revision is the token).
 *
 * @param holder the id of the node that holds it
 * @param ttlMillis how long after its last renewal the lock is free
 * @param token the fencing token of the hold, {@code null} in the acquiring write
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record LockRecord(String holder, long ttlMillis, @Nullable Long token) {

	private static final ObjectMapper MAPPER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	LockRecord(String holder, long ttlMillis) {
		this(holder, ttlMillis, null);
	}

	LockRecord withToken(long fencingToken) {
		return new LockRecord(this.holder, this.ttlMillis, fencingToken);
	}

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
