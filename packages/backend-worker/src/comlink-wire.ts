import { deserializeThrown } from './error-transfer-handler.js';
import type { WorkerApi } from './worker-protocol.js';

/**
 * comlink 4's wire format, spoken directly by the main side: the worker side
 * is served by comlink's own `expose`. comlink's `wrap` gives each request a
 * random string id (four `Math.random()` numbers in hex) and a promise, and
 * builds a Proxy per property read; the pool numbers its requests instead and
 * routes each answer from one listener per worker. Internal.
 */
export interface ComlinkReply {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly name?: unknown;
  readonly value?: unknown;
}

/** The `APPLY` request that calls `method` of the exposed {@link WorkerApi} with `args`. */
export function comlinkApply(id: number, method: keyof WorkerApi, args: unknown[]): object {
  const argumentList = new Array<object>(args.length);
  for (let index = 0; index < args.length; index++) argumentList[index] = { type: 'RAW', value: args[index] };
  return { id, type: 'APPLY', path: [method], argumentList };
}

/** The `APPLY` request of `run(callId, taskName, input)`, the hot path, built without intermediate arrays. */
export function comlinkRun(callId: number, taskName: string, input: unknown, traceCarrier?: Record<string, string>): object {
  if (traceCarrier !== undefined) return comlinkApply(callId, 'run', [callId, taskName, input, traceCarrier]);
  return {
    id: callId,
    type: 'APPLY',
    path: ['run'],
    argumentList: [
      { type: 'RAW', value: callId },
      { type: 'RAW', value: taskName },
      { type: 'RAW', value: input },
    ],
  };
}

/**
 * Reads an answer of `type: 'HANDLER'`: `ok` is false for a thrown value
 * (comlink's `'throw'` handler, rebuilt here with {@link deserializeThrown}, so
 * the main side needs no comlink transfer handler of its own). A `'RAW'` answer
 * needs none of this: its `value` is the result. The worker's API returns only
 * plain values, so no other handler name is expected.
 */
export function replyValue(reply: ComlinkReply): { ok: boolean; value: unknown } {
  if (reply.type !== 'HANDLER') return { ok: true, value: reply.value };
  if (reply.name === 'throw') return { ok: false, value: deserializeThrown(reply.value) };
  return { ok: false, value: new TypeError(`comlink: the worker answered with transfer handler '${String(reply.name)}', which the pool does not read`) };
}
