import type { PlacementReason } from '../placement/placement-types.js';
import { traceSpan } from './trace-span.js';
import { traceSpanKind, type TracerLike } from './tracer-like.js';

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
  return traceSpan(
    tracer,
    `compute ${taskName}`,
    { kind: traceSpanKind.internal, attributes: { 'hybridcompute.task': taskName, 'hybridcompute.strategy': strategy } },
    run,
  );
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
  return traceSpan(
    tracer,
    `${rpcSystem}/${taskName}`,
    {
      kind: traceSpanKind.client,
      attributes: {
        'rpc.system': rpcSystem,
        'rpc.method': taskName,
        'hybridcompute.task': taskName,
        'hybridcompute.backend': backendName,
        'hybridcompute.placement': reason,
      },
    },
    run,
  );
}
