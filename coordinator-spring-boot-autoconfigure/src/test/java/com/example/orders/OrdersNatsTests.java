package com.example.orders;

import java.util.Map;

import dev.coordinator.Coordinator;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.awaitility.Awaitility.await;

@SpringBootTest
@DirtiesContext
class OrdersNatsTests {

	@RegisterExtension
	static final NatsServerExtension nats = new NatsServerExtension();

	@DynamicPropertySource
	static void coordinator(DynamicPropertyRegistry registry) {
		registry.add("coordinator.nats.servers", nats::url);
	}

	@Autowired
	Coordinator coordinator;

	@Autowired
	OrdersApplication.OrderListener orders;

	@Test
	void anOrderReachesItsListener() {
		this.coordinator.putJson("/orders/42", Map.of("item", "book"));
		await().until(() -> this.orders.received().contains("/orders/42"));
	}

}
