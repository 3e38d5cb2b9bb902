import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A finished span as plain data, the same whether it was exported in this thread or posted from another thread or process. */
export interface PlainSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  traceState: string | undefined;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}

/** The BroadcastChannel that traced worker fixtures post their spans on. */
export const spanChannelName = 'hybridcompute-test-spans';

/**
 * A finished span as {@link PlainSpan}: what can cross a thread or a process.
 *
 * @example
 * exporter.getFinishedSpans().map(plainSpan);
 */
export function plainSpan(span: ReadableSpan): PlainSpan {
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
