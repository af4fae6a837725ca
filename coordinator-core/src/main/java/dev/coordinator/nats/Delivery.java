package dev.coordinator.nats;

import java.time.Instant;

import io.nats.client.Message;

/**
 * Where a delivery of the durable consumer stands, read from its reply subject
 * ({@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>}, or with a
 * domain and an account hash before the stream, and a token after the pending count). Parsed in one pass over
 * the subject: jnats's own reading of it (a split on a pattern, a {@code ZonedDateTime}) was a third of the
 * reader thread's time with pipelined writes.
 *
 * @param revision the stream sequence of the message
 * @param consumerSequence the consumer's sequence of the delivery
 * @param writtenAt when the server stored the message
 * @param pending messages of the consumer not yet delivered
 */
record Delivery(long revision, long consumerSequence, Instant writtenAt, long pending) {

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	/**
	 * Reads a delivery's reply subject.
	 * @param message the delivery
	 * @return where it stands
	 * @throws IllegalArgumentException when the reply subject is not a JetStream acknowledgement subject
	 */
	static Delivery of(Message message) {
		String reply = message.getReplyTo();
		if (reply == null || !reply.startsWith("$JS.ACK.")) {
			throw notADelivery(reply);
		}
		int tokens = 1;
		for (int i = 0; i < reply.length(); i++) {
			if (reply.charAt(i) == '.') {
				tokens++;
			}
		}
		// The <delivered> token comes after $JS, ACK, [domain, account hash,] stream and consumer; servers before
		// 2.2 sent no pending count
		int first = (tokens == 8 || tokens == 9) ? 4 : (tokens >= 11) ? 6 : -1;
		if (first < 0) {
			throw notADelivery(reply);
		}
		int count = (tokens == 8) ? 4 : 5;
		long[] numbers = new long[5];
		numbers[4] = -1;
		int token = 0;
		int start = 0;
		try {
			for (int i = 0; token < first + count; i++) {
				if (i == reply.length() || reply.charAt(i) == '.') {
					if (token >= first) {
						numbers[token - first] = Long.parseLong(reply, start, i, 10);
					}
					token++;
					start = i + 1;
				}
			}
		}
		catch (NumberFormatException ex) {
			throw notADelivery(reply);
		}
		long nanos = numbers[3];
		return new Delivery(numbers[1], numbers[2],
				Instant.ofEpochSecond(nanos / NANOS_PER_SECOND, nanos % NANOS_PER_SECOND), numbers[4]);
	}

	private static IllegalArgumentException notADelivery(String reply) {
		return new IllegalArgumentException("Not a JetStream delivery: reply subject '" + reply + "'");
	}

}
