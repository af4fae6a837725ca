/**
 * Distributed locks and leader election on compare-and-set writes, with fencing tokens.
 */
@NullMarked
package dev.coordinator.lock;

import org.jspecify.annotations.NullMarked;
