import type { PlacementReason } from '../placement/placement-types.js';
import { traceSpan } from './trace-span.js';
import { traceSpanKind, type TraceSpanOptions, type TracerLike } from './tracer-like.js';

/**
 * `rpc.system` of every hybrid-compute span that names a call.
 *
 * @example
 * ```ts
 * const calls = spans.filter((span) => span.attributes['rpc.system'] === rpcSystem);
 * ```
 */
export const rpcSystem = 'hybridcompute';

/**
 * The router's span for one `runTask` call (internal: the call's attempts
 * are its client children), active while the call is placed and run.
 *
 * @internal Used by the router.
 */
export function traceRouterCall(tracer: TracerLike, taskName: string, strategy: string, run: () => Promise<unknown>): Promise<unknown> {
  return traceSpan(tracer, `compute ${taskName}`, routerCallSpanOptions(taskName, strategy), run);
}

/**
 * The kind and attributes of the router's span for one call, `runTask` or `streamTask`.
 *
 * @internal Used by the router's tracing.
 */
export function routerCallSpanOptions(taskName: string, strategy: string): TraceSpanOptions {
  return { kind: traceSpanKind.internal, attributes: { 'hybridcompute.task': taskName, 'hybridcompute.strategy': strategy } };
}

/**
 * The name of the router's span for one attempt: `hybridcompute/<task>`.
 *
 * @internal Used by the router's tracing.
 */
export function attemptSpanName(taskName: string): string {
  return `${rpcSystem}/${taskName}`;
}

/**
 * The kind and attributes of the router's span for one attempt on one backend.
 *
 * @internal Used by the router's tracing.
 */
export function attemptSpanOptions(taskName: string, backendName: string, reason: PlacementReason): TraceSpanOptions {
  return {
    kind: traceSpanKind.client,
    attributes: {
      'rpc.system': rpcSystem,
      'rpc.method': taskName,
      'hybridcompute.task': taskName,
      'hybridcompute.backend': backendName,
      'hybridcompute.placement': reason,
    },
  };
}

/**
 * The router's span for one attempt of a call on one backend: a client span,
 * active while the backend's `runTask` starts, so that the backend carries
 * it on (a worker message, a `traceparent` header, a job's data).
 *
 * @internal Used by the router.
 */
export function traceAttempt(
  tracer: TracerLike,
  taskName: string,
  backendName: string,
  reason: PlacementReason,
  run: () => Promise<unknown>,
): Promise<unknown> {
  return traceSpan(tracer, attemptSpanName(taskName), attemptSpanOptions(taskName, backendName, reason), run);
}
