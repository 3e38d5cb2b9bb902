/**
 * A span attribute's value, as OpenTelemetry takes it (arrays aside, which
 * hybrid-compute never sets).
 *
 * @example
 * ```ts
 * const value: TraceAttributeValue = 'resize';
 * ```
 */
export type TraceAttributeValue = string | number | boolean;

/**
 * The part of an OpenTelemetry `Span` that hybrid-compute uses. Typed here,
 * structurally, so that core needs no `@opentelemetry/api` at run time or in
 * its types: a span from any OpenTelemetry tracer fits.
 *
 * @example
 * ```ts
 * function markFailed(span: SpanLike, error: Error): void {
 *   span.recordException(error);
 *   span.setStatus({ code: traceStatusCode.error, message: error.message });
 * }
 * ```
 */
export interface SpanLike {
  setAttribute(key: string, value: TraceAttributeValue): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): void;
  isRecording(): boolean;
  end(): void;
}

/**
 * What a span starts with: its kind (a {@link traceSpanKind} value) and its
 * first attributes.
 *
 * @example
 * ```ts
 * const options: TraceSpanOptions = { kind: traceSpanKind.client, attributes: { 'rpc.method': 'resize' } };
 * ```
 */
export interface TraceSpanOptions {
  kind?: number;
  attributes?: Record<string, TraceAttributeValue>;
}

/**
 * The part of an OpenTelemetry `Tracer` that hybrid-compute uses:
 * `startActiveSpan(name, options, fn)`, which makes the span the active one
 * while `fn` runs, so that what `fn` starts (a backend's call, a worker
 * message, an HTTP request) is its child. `trace.getTracer(name)` from
 * `@opentelemetry/api` returns one.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 *
 * const tracer: TracerLike = trace.getTracer('my-app');
 * const compute = createHybridCompute({ local, worker }, { tracer });
 * ```
 */
export interface TracerLike {
  startActiveSpan<F extends (span: SpanLike) => unknown>(name: string, options: TraceSpanOptions, fn: F): ReturnType<F>;
}

/**
 * OpenTelemetry's `SpanKind` values, which the specification fixes, so core
 * need not import the enum.
 *
 * @example
 * ```ts
 * tracer.startActiveSpan('call resize', { kind: traceSpanKind.client }, (span) => span.end());
 * ```
 */
export const traceSpanKind = /* @__PURE__ */ Object.freeze({ internal: 0, server: 1, client: 2, producer: 3, consumer: 4 });

/**
 * OpenTelemetry's `SpanStatusCode` values (`unset`, `ok`, `error`).
 *
 * @example
 * ```ts
 * span.setStatus({ code: traceStatusCode.error, message: 'TASK_FAILED' });
 * ```
 */
export const traceStatusCode = /* @__PURE__ */ Object.freeze({ unset: 0, ok: 1, error: 2 });
