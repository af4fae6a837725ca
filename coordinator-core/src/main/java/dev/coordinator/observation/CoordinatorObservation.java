package dev.coordinator.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of the coordinator, their names and keys.
 */
public enum CoordinatorObservation implements ObservationDocumentation {

	/**
	 * A write: {@code put}, {@code putAsync}, {@code create}, {@code update} or {@code delete}, from the call
	 * until its outcome is known (retries included). Membership heartbeats and lock renewals are not observed.
	 */
	WRITE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultCoordinatorWriteObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return WriteLowCardinalityKeys.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeys.values();
		}

		@Override
		public String getPrefix() {
			return "coordinator.";
		}

	},

	/**
	 * One call of a {@link dev.coordinator.CoordinatorListener @CoordinatorListener} method or a watch handler
	 * with one event (each retry is a call of its own). Its parent is the writer's span; replayed state has none.
	 */
	LISTENER {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultCoordinatorListenerObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return ListenerLowCardinalityKeys.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeys.values();
		}

		@Override
		public String getPrefix() {
			return "coordinator.";
		}

	};

	/**
	 * Low-cardinality keys of {@link #WRITE}.
	 */
	public enum WriteLowCardinalityKeys implements KeyName {

		/** {@code put}, {@code create}, {@code update} or {@code delete}. */
		OPERATION {

			@Override
			public String asString() {
				return "operation";
			}

		},

		/** {@code success}, {@code conflict}, {@code absent} (nothing to delete) or {@code error}. */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}

		}

	}

	/**
	 * Low-cardinality keys of {@link #LISTENER}.
	 */
	public enum ListenerLowCardinalityKeys implements KeyName {

		/** The listener's id; {@code watch:<prefix>} for a watch handler. */
		LISTENER {

			@Override
			public String asString() {
				return "listener";
			}

		},

		/** {@code true} for replayed state, {@code false} for a change as it happens. */
		REPLAY {

			@Override
			public String asString() {
				return "replay";
			}

		}

	}

	/**
	 * High-cardinality keys of both observations.
	 */
	public enum HighCardinalityKeys implements KeyName {

		/** The coordinator key written or delivered. */
		KEY {

			@Override
			public String asString() {
				return "key";
			}

		}

	}

}
