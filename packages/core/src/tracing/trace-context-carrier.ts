import { traceSpan } from './trace-span.js';
import type { SpanLike, TraceSpanOptions, TracerLike } from './tracer-like.js';

/**
 * W3C trace context as text fields: `traceparent`, and `tracestate` when there is one.
 *
 * @example
 * ```ts
 * const carrier: TraceCarrier = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
 * ```
 */
export type TraceCarrier = Record<string, string>;

/**
 * The part of the `@opentelemetry/api` module that carries trace context
 * across a thread or a process: the active context, the registered
 * propagator, and a tracer. Typed here, structurally, so that core needs no
 * api at run time or in its types: the api module itself fits.
 *
 * @example
 * ```ts
 * import * as api from '@opentelemetry/api';
 *
 * const contextApi: TraceContextApiLike = api;
 * ```
 */
export interface TraceContextApiLike {
  readonly ROOT_CONTEXT: unknown;
  readonly context: { active(): unknown; with<Result>(context: unknown, fn: () => Result): Result };
  readonly trace: { getSpanContext(context: unknown): unknown; getTracer(name: string): TracerLike };
  readonly propagation: { inject(context: unknown, carrier: TraceCarrier): void; extract(context: unknown, carrier: TraceCarrier): unknown };
}

/**
 * What {@link traceContextCarrier} gives a package: the api when installed,
 * and the trace context carried out of a call and back into one.
 *
 * @example
 * ```ts
 * const { activeTraceCarrier, traceFromCarrier }: TraceContextCarrier<typeof OtelApi> = tracing;
 * ```
 */
export interface TraceContextCarrier<Api extends TraceContextApiLike> {
  /** The api, looked for on the first call only; `undefined` when it is not installed. */
  otelApi(): Api | undefined;
  /**
   * The active span's trace context, injected by the registered propagator;
   * `undefined` (and no work beyond a lookup) when there is no api, no active
   * span or no propagator.
   */
  activeTraceCarrier(): TraceCarrier | undefined;
  /**
   * Runs `run` in a new active span of the package's tracer, the child of the
   * trace context in `carrier` (or of the active context, without one), and
   * ends it when `run` settles (see {@link traceSpan}). With no api, `run` runs as it is.
   */
  traceFromCarrier<Result>(carrier: TraceCarrier | undefined, spanName: string, options: TraceSpanOptions, run: () => Promise<Result> | Result): Promise<Result> | Result;
  /**
   * Calls `fn` with a new active span of the package's tracer, the child of
   * `carrier`'s context (or of the active one); `fn` ends the span, for calls
   * whose outcome is not a rejection.
   */
  withCarrierSpan<Result>(api: Api, carrier: TraceCarrier | undefined, spanName: string, options: TraceSpanOptions, fn: (span: SpanLike) => Result): Result;
}

/**
 * Trace context across a boundary, for a package that has
 * `@opentelemetry/api` as an optional peer: `loadApi` is called once, the
 * first time tracing asks for it (see {@link requireOptionalPeer}), and the
 * spans are made by the tracer named `tracerName`. The api keeps its
 * registrations on `globalThis`, so the copy a package loads sees the
 * provider, context manager and propagator the application registered.
 *
 * @example
 * ```ts
 * import type * as OtelApi from '@opentelemetry/api';
 *
 * const tracing = traceContextCarrier<typeof OtelApi>('my-backend', () => requireOptionalPeer('@opentelemetry/api', import.meta.url));
 * const carrier = tracing.activeTraceCarrier(); // send it with the call
 * // where the call arrives:
 * await tracing.traceFromCarrier(carrier, 'run resize', { kind: traceSpanKind.server }, () => resize(image));
 * ```
 */
export function traceContextCarrier<Api extends TraceContextApiLike>(tracerName: string, loadApi: () => Api | undefined): TraceContextCarrier<Api> {
  // undefined: not looked for yet; null: not installed (or not loadable here, as in a browser).
  let loaded: Api | null | undefined;
  const otelApi = (): Api | undefined => {
    if (loaded === undefined) loaded = loadApi() ?? null;
    return loaded ?? undefined;
  };
  const parentContext = (api: Api, carrier: TraceCarrier | undefined): unknown =>
    carrier === undefined ? api.context.active() : api.propagation.extract(api.ROOT_CONTEXT, carrier);
  return {
    otelApi,
    activeTraceCarrier(): TraceCarrier | undefined {
      const api = otelApi();
      if (api === undefined) return undefined;
      const active = api.context.active();
      if (api.trace.getSpanContext(active) === undefined) return undefined;
      const carrier: TraceCarrier = {};
      api.propagation.inject(active, carrier);
      return carrier['traceparent'] === undefined ? undefined : carrier;
    },
    traceFromCarrier(carrier, spanName, options, run) {
      const api = otelApi();
      if (api === undefined) return run();
      return api.context.with(parentContext(api, carrier), () => traceSpan(api.trace.getTracer(tracerName), spanName, options, run));
    },
    withCarrierSpan(api, carrier, spanName, options, fn) {
      return api.context.with(parentContext(api, carrier), () => api.trace.getTracer(tracerName).startActiveSpan(spanName, options, fn));
    },
  };
}
