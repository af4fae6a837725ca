/**
 * The library's JSON codecs: Jackson 2 by default, Jackson 3 when chosen; both write the same JSON.
 */
@NullMarked
package dev.coordinator.json;

import org.jspecify.annotations.NullMarked;
