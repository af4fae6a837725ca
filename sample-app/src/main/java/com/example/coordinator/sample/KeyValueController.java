package com.example.coordinator.sample;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.coordinator.Coordinator;
import dev.coordinator.CoordinatorEntry;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Keys through REST, values as UTF-8 text: {@code PUT /kv/config/greeting} stores the request body under
 * {@code /config/greeting}, {@code GET} reads it, {@code DELETE} deletes it, and {@code GET /kv/config/} (a
 * path ending with {@code /}, or {@code /kv/} for every key) lists the entries under that prefix.
 */
@RestController
public class KeyValueController {

	private final Coordinator coordinator;

	public KeyValueController(Coordinator coordinator) {
		this.coordinator = coordinator;
	}

	@PutMapping("/kv/{*key}")
	Written put(@PathVariable String key, @RequestBody String value) {
		return new Written(key, this.coordinator.put(key, value.getBytes(StandardCharsets.UTF_8)));
	}

	@GetMapping("/kv/{*key}")
	ResponseEntity<?> get(@PathVariable String key) {
		if (key.isEmpty() || key.endsWith("/")) {
			List<Entry> entries = this.coordinator.list(key.isEmpty() ? "/" : key).stream().map(Entry::of).toList();
			return ResponseEntity.ok(entries);
		}
		return this.coordinator.get(key)
			.<ResponseEntity<?>>map((entry) -> ResponseEntity.ok(Entry.of(entry)))
			.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
				.body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No key '" + key + "'")));
	}

	@DeleteMapping("/kv/{*key}")
	Deleted delete(@PathVariable String key) {
		return new Deleted(key, this.coordinator.delete(key));
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ProblemDetail invalid(IllegalArgumentException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	/**
	 * A stored value.
	 *
	 * @param key the key
	 * @param value the value as UTF-8 text
	 * @param revision the revision of the write that stored it
	 * @param created when the server stored it
	 */
	record Entry(String key, String value, long revision, Instant created) {

		static Entry of(CoordinatorEntry entry) {
			return new Entry(entry.key(), new String(entry.value(), StandardCharsets.UTF_8), entry.revision(),
					entry.created());
		}

	}

	/**
	 * The answer to a write.
	 *
	 * @param key the key
	 * @param revision the revision the write got
	 */
	record Written(String key, long revision) {
	}

	/**
	 * The answer to a delete.
	 *
	 * @param key the key
	 * @param deleted whether the key existed
	 */
	record Deleted(String key, boolean deleted) {
	}

}
