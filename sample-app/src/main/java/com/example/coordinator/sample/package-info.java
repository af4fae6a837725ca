/**
 * Sample cluster node built on the coordinator starter.
 */
package com.example.coordinator.sample;
