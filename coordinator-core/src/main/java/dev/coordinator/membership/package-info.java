/**
 * Cluster membership with failure detection on compare-and-set writes: each node keeps a record under a
 * prefix alive, and the live nodes remove the record of one that stopped renewing it.
 */
@NullMarked
package dev.coordinator.membership;

import org.jspecify.annotations.NullMarked;
