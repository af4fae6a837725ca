package com.example.orders;

import java.util.Map;

import dev.coordinator.Coordinator;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.awaitility.Awaitility.await;

@SpringBootTest(properties = "coordinator.backend=in-memory")
class OrdersInMemoryTests {

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
