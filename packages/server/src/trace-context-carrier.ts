// The same file is in backend-worker, backend-remote, server and backend-bullmq:
// core cannot hold it (it has no dependencies) and each package resolves the
// optional peer from its own place. docs/architecture.md, "Tracing", says why.
import { traceSpan, type SpanLike, type TraceSpanOptions } from '@hybridcompute/core';
import type * as OtelApiModule from '@opentelemetry/api';

/** The `@opentelemetry/api` module. */
export type OtelApi = typeof OtelApiModule;

/** W3C trace context as text fields: `traceparent`, and `tracestate` when there is one. */
export type TraceCarrier = Record<string, string>;

// undefined: not looked for yet; null: not installed (or not loadable here, as in a browser).
let loaded: OtelApi | null | undefined;

/**
 * `@opentelemetry/api`, an optional peer: required the first time tracing
 * asks for it, through Node's `createRequire` (Node, Bun and Deno have
 * `process.getBuiltinModule`), so that a missing package costs one failed
 * lookup and never an exception, and a browser bundle holds no import of it.
 * The api keeps its registrations on `globalThis`, so this copy sees the
 * provider, context manager and propagator that the application registered
 * through its own import.
 */
export function otelApi(): OtelApi | undefined {
  if (loaded === undefined) loaded = requireOtelApi();
  return loaded ?? undefined;
}

function requireOtelApi(): OtelApi | null {
  try {
    const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const nodeModule = runtime?.getBuiltinModule?.('module') as typeof import('node:module') | undefined;
    if (nodeModule === undefined) return null;
    return nodeModule.createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  } catch {
    return null;
  }
}

/**
 * The active span's trace context, injected by the registered propagator;
 * `undefined` (and no work beyond a lookup) when there is no api, no active
 * span or no propagator.
 */
export function activeTraceCarrier(): TraceCarrier | undefined {
  const api = otelApi();
  if (api === undefined) return undefined;
  const active = api.context.active();
  if (api.trace.getSpanContext(active) === undefined) return undefined;
  const carrier: TraceCarrier = {};
  api.propagation.inject(active, carrier);
  return carrier['traceparent'] === undefined ? undefined : carrier;
}

/**
 * Runs `run` in a new active span of this package's tracer, the child of the
 * trace context in `carrier` (or of the active context, without one), and
 * ends it when `run` settles (see core's `traceSpan`). With no api
 * installed, `run` runs as it is.
 */
export function traceFromCarrier<Result>(
  carrier: TraceCarrier | undefined,
  spanName: string,
  options: TraceSpanOptions,
  run: () => Promise<Result> | Result,
): Promise<Result> | Result {
  const api = otelApi();
  if (api === undefined) return run();
  return api.context.with(parentContext(api, carrier), () => traceSpan(api.trace.getTracer(tracerName), spanName, options, run));
}

/**
 * Calls `fn` with a new active span of this package's tracer, the child of
 * `carrier`'s context (or of the active one); `fn` ends the span, for calls
 * whose outcome is not a rejection.
 */
export function withCarrierSpan<Result>(api: OtelApi, carrier: TraceCarrier | undefined, spanName: string, options: TraceSpanOptions, fn: (span: SpanLike) => Result): Result {
  return api.context.with(parentContext(api, carrier), () => api.trace.getTracer(tracerName).startActiveSpan(spanName, options as OtelApiModule.SpanOptions, fn));
}

function parentContext(api: OtelApi, carrier: TraceCarrier | undefined): OtelApiModule.Context {
  return carrier === undefined ? api.context.active() : api.propagation.extract(api.ROOT_CONTEXT, carrier);
}

const tracerName = '@hybridcompute/server';
