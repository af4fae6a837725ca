package dev.coordinator.nats;

/**
 * What a coordinator node did with the messages of the event log since it started.
 *
 * @param received messages received from the server, redeliveries included (the nodes' records, which share
 * the log, are not counted)
 * @param delivered changes handed to the listeners
 * @param duplicates messages skipped because their key already had this or a later revision processed
 * @param silent changes stored without notification ({@code notify=false}), not handed to listeners
 * @param malformed messages that are not changes (undecodable key, unknown format), recorded as dead letters
 * @param deadLettered listener calls given up after every attempt failed, recorded as dead letters
 * @param replayed replayed events handed to initial-state listeners
 * @param resyncs times this node lost its place in the log and read the stored state again
 * @param unexpected failures logged outside listener retries (a context listener or the error handler threw,
 * the reader restarted itself after an error)
 * @param failedCalls listener calls that threw (first attempts), handed to the error handler
 * @param rejected changes not delivered because their origin was not verified ({@code coordinator.origin.verify=drop})
 */
public record DeliveryStatistics(long received, long delivered, long duplicates, long silent, long malformed,
		long deadLettered, long replayed, long resyncs, long unexpected, long failedCalls, long rejected) {
}
