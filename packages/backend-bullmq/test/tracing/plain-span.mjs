// A finished span as plain data, the same whether it was exported in this
// thread or posted from another thread or process.

/** The BroadcastChannel that traced worker fixtures post their spans on. */
export const spanChannelName = 'hybridcompute-test-spans';

/** @param {import('@opentelemetry/sdk-trace-base').ReadableSpan} span */
export function plainSpan(span) {
  return {
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    traceState: span.spanContext().traceState?.serialize(),
    attributes: { ...span.attributes },
    status: { ...span.status },
  };
}
