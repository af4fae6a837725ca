package dev.coordinator.nats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the KV bucket when it is missing and checks an existing one against the settings, without ever
 * changing it. Safe when several nodes start at once.
 */
final class BucketProvisioner {

	private static final Logger logger = LoggerFactory.getLogger(BucketProvisioner.class);

	private static final int STREAM_NOT_FOUND = 10059;

	private BucketProvisioner() {
	}

	/**
	 * Creates the bucket or checks the existing one.
	 * @return the status of the bucket, as created or found
	 */
	static KeyValueStatus ensure(KeyValueManagement management, String bucket, NatsCoordinatorSettings.Bucket settings)
			throws IOException, JetStreamApiException {
		KeyValueStatus existing = find(management, bucket);
		if (existing == null) {
			try {
				KeyValueStatus created = management.create(configuration(bucket, settings));
				logger.info("Created KV bucket '{}' (history {}, {} storage, {} replica(s), values up to {} bytes)",
						bucket, settings.history(), settings.storage(), settings.replicas(), settings.maxValueSize());
				return created;
			}
			catch (JetStreamApiException ex) {
				// Another node may have created it with other settings in the meantime: report what it has.
				existing = find(management, bucket);
				if (existing == null) {
					throw ex;
				}
			}
		}
		List<BucketConflictException.Conflict> conflicts = conflicts(existing, settings);
		if (!conflicts.isEmpty()) {
			throw new BucketConflictException(bucket, conflicts);
		}
		logger.debug("Using existing KV bucket '{}'", bucket);
		return existing;
	}

	private static List<BucketConflictException.Conflict> conflicts(KeyValueStatus existing,
			NatsCoordinatorSettings.Bucket settings) {
		List<BucketConflictException.Conflict> conflicts = new ArrayList<>();
		compare(conflicts, "history", existing.getMaxHistoryPerKey(), settings.history());
		compare(conflicts, "storage", existing.getStorageType(), settings.storage());
		compare(conflicts, "replicas", existing.getReplicas(), settings.replicas());
		compare(conflicts, "maxValueSize", existing.getMaxValueSize(), settings.maxValueSize());
		return conflicts;
	}

	private static void compare(List<BucketConflictException.Conflict> conflicts, String setting, Object existing,
			Object configured) {
		if (!String.valueOf(existing).equals(String.valueOf(configured))) {
			conflicts.add(new BucketConflictException.Conflict(setting, String.valueOf(existing),
					String.valueOf(configured)));
		}
	}

	private static KeyValueConfiguration configuration(String bucket, NatsCoordinatorSettings.Bucket settings) {
		return KeyValueConfiguration.builder()
			.name(bucket)
			.description("Coordinator state; its stream is the log of coordinator events")
			.maxHistoryPerKey(settings.history())
			.storageType(settings.storage())
			.replicas(settings.replicas())
			.maxValueSize(settings.maxValueSize())
			.build();
	}

	private static @Nullable KeyValueStatus find(KeyValueManagement management, String bucket)
			throws IOException, JetStreamApiException {
		try {
			return management.getStatus(bucket);
		}
		catch (JetStreamApiException ex) {
			if (ex.getApiErrorCode() == STREAM_NOT_FOUND) {
				return null;
			}
			throw ex;
		}
	}

}
