package dev.coordinator.nats;

import java.time.Instant;

import io.nats.client.Message;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link Delivery}: the reply subjects servers send, with and without domain and account hash, and what is not
 * one.
 */
class DeliveryTests {

	private static final long NANOS = 1_764_000_000_123_456_789L;

	@Test
	void readsTheShortForm() {
		Delivery delivery = Delivery.of(reply("$JS.ACK.KV_ns.ns_node-1.1.4021.37." + NANOS + ".12"));
		assertThat(delivery.revision()).isEqualTo(4021);
		assertThat(delivery.consumerSequence()).isEqualTo(37);
		assertThat(delivery.pending()).isEqualTo(12);
		assertThat(delivery.writtenAt()).isEqualTo(Instant.ofEpochSecond(1_764_000_000L, 123_456_789));
	}

	@Test
	void readsTheFormWithDomainAndAccountHashWithOrWithoutATrailingToken() {
		for (String tail : new String[] { "", ".Xy9Zz" }) {
			Delivery delivery = Delivery.of(reply("$JS.ACK.hub.AcCoUnThAsH.KV_ns.ns_node-1.2.4021.38." + NANOS + ".0"
					+ tail));
			assertThat(delivery.revision()).isEqualTo(4021);
			assertThat(delivery.consumerSequence()).isEqualTo(38);
			assertThat(delivery.pending()).isZero();
		}
	}

	@Test
	void readsTheFormWithoutPendingCount() {
		Delivery delivery = Delivery.of(reply("$JS.ACK.KV_ns.ns_node-1.1.5.6." + NANOS));
		assertThat(delivery.revision()).isEqualTo(5);
		assertThat(delivery.consumerSequence()).isEqualTo(6);
		assertThat(delivery.pending()).isEqualTo(-1);
	}

	@Test
	void rejectsWhatIsNotAJetStreamDelivery() {
		for (String notOne : new String[] { "_INBOX.abc", "$JS.ACK.KV_ns.ns_node-1.1.x.6." + NANOS + ".0",
				"$JS.ACK.KV_ns.ns_node-1.1.5", "$JS.ACK.a.b.c.d.1.2.3.4", "$JS.ACK.KV_ns.c.1.2.3.99999999999999999999.0" }) {
			assertThatIllegalArgumentException().as(notOne).isThrownBy(() -> Delivery.of(reply(notOne)))
				.withMessageContaining("Not a JetStream delivery");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> Delivery.of(NatsMessage.builder().subject("a").build()));
	}

	private static Message reply(String replyTo) {
		return NatsMessage.builder().subject("$KV.ns.nodes.node-1").replyTo(replyTo).build();
	}

}
