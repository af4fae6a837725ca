package dev.coordinator.observation;

import io.nats.client.impl.Headers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a propagator may write into the headers of a write.
 */
class CoordinatorWriteContextTests {

	@Test
	void onlyTheTraceContextIsWrittenIntoTheHeaders() {
		Headers headers = new Headers();
		CoordinatorWriteContext context = new CoordinatorWriteContext(headers, "put", "/a");
		String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
		context.getSetter().set(headers, "traceparent", traceparent);
		context.getSetter().set(headers, "tracestate", "congo=t61rcWkgMzE");
		context.getSetter().set(headers, "baggage", "tenant=acme");
		context.getSetter().set(headers, "tenant", "acme");
		context.getSetter().set(headers, "b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1");

		assertThat(headers.keySet()).containsExactlyInAnyOrder("traceparent", "tracestate");
		assertThat(headers.getFirst("traceparent")).isEqualTo(traceparent);
	}

	@Test
	void aTraceStateTooLongForTheHeadersIsLeftOut() {
		Headers headers = new Headers();
		CoordinatorWriteContext context = new CoordinatorWriteContext(headers, "put", "/a");
		context.getSetter().set(headers, "tracestate", "vendor=" + "x".repeat(CoordinatorWriteContext.MAX_TRACE_HEADER_LENGTH));

		assertThat(headers.isEmpty()).isTrue();
	}

	@Test
	void theOutcomeIsAnErrorUntilTheWriteReportsAnother() {
		CoordinatorWriteContext context = new CoordinatorWriteContext(new Headers(), "update", "/a");
		assertThat(context.getOutcome()).isEqualTo(CoordinatorWriteContext.ERROR);
		context.setOutcome(CoordinatorWriteContext.CONFLICT);
		assertThat(context.getOutcome()).isEqualTo(CoordinatorWriteContext.CONFLICT);
	}

}
