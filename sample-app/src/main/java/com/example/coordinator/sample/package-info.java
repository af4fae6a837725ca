/**
 * Sample cluster node built on the coordinator starter: REST endpoints and a live page of the cluster.
 */
package com.example.coordinator.sample;
