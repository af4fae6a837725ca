package dev.coordinator.nats;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NodeRecordsKeyTests {

	@ParameterizedTest
	@ValueSource(strings = { "/_coordinator/nodes.node-1", "/_coordinator", "/_coordinator=2Fnodes=2Fnode-1",
			"/_coordinator/nodes/", "/nodes/node-1" })
	void noCoordinatorKeyMapsToARecord(String key) {
		if (key.endsWith("/")) {
			assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.encode(key));
			return;
		}
		assertThat(NodeRecords.isRecord(KeyCodec.encode(key))).isFalse();
	}

	@Test
	void recordKeysAreNoCoordinatorKeys() {
		assertThat(NodeRecords.isRecord("_coordinator/nodes.node-1")).isTrue();
		assertThatIllegalArgumentException().isThrownBy(() -> KeyCodec.decode("_coordinator/nodes.node-1"));
	}

	@Test
	void recordSubjectsAreThoseOfTheBucket() {
		assertThat(NodeRecords.isRecordSubject("$KV.orders._coordinator/nodes.node-1", "orders")).isTrue();
		assertThat(NodeRecords.isRecordSubject("$KV.orders_nodes._coordinator/nodes.node-1", "orders")).isFalse();
		assertThat(NodeRecords.isRecordSubject("$KV.orders._coordinator/nodes.node-1", "orders_nodes")).isFalse();
		assertThat(NodeRecords.isRecordSubject("$KV.orders._coordinator.nodes.node-1", "orders")).isFalse();
		assertThat(NodeRecords.isRecordSubject("$KV.orders.node-1", "orders")).isFalse();
		assertThat(NodeRecords.isRecordSubject("$KV.orders", "orders")).isFalse();
		assertThat(NodeRecords.isRecordSubject("other.orders._coordinator/nodes.node-1", "orders")).isFalse();
	}

}
