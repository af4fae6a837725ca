package dev.coordinator.membership;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Member records as JSON, with settings of their own so that every node writes and reads the same.
 */
final class MemberJson {

	private static final ObjectMapper MAPPER = JsonMapper.builder()
		.addModule(new JavaTimeModule())
		.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	private MemberJson() {
	}

	static byte[] write(Member member) {
		try {
			return MAPPER.writeValueAsBytes(member);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static Member read(byte[] json) {
		try {
			return MAPPER.readValue(json, Member.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
