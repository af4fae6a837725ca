package com.example.orders;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.coordinator.CoordinatorEvent;
import dev.coordinator.CoordinatorListener;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/**
 * A user's application, for the examples of "Testing your application" in the README.
 */
@SpringBootApplication
public class OrdersApplication {

	/**
	 * Listens to the orders.
	 */
	@Component
	public static class OrderListener {

		private final List<String> received = new CopyOnWriteArrayList<>();

		@CoordinatorListener(prefix = "/orders/")
		void onOrder(CoordinatorEvent event) {
			this.received.add(event.getKey());
		}

		public List<String> received() {
			return this.received;
		}

	}

}
