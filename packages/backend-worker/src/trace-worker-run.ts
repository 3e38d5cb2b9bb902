import { rpcSystem, traceSpanKind } from '@hybridcompute/core';
import { traceFromCarrier, type TraceCarrier } from './trace-context-carrier.js';

/**
 * Runs one call in the worker inside a server span, the child of the pool's
 * span that `carrier` names (the router's attempt, or the caller's own
 * span). Only calls that came with trace context get here.
 *
 * @internal Used by `exposeTasks`.
 */
export function traceWorkerRun(carrier: TraceCarrier, taskName: string, run: () => unknown): unknown {
  return traceFromCarrier(
    carrier,
    `${rpcSystem}/${taskName} run`,
    { kind: traceSpanKind.server, attributes: { 'rpc.system': rpcSystem, 'rpc.method': taskName, 'hybridcompute.task': taskName, 'hybridcompute.backend': 'worker' } },
    run,
  );
}
