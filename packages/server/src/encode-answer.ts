import { ComputeError } from '@hybridcompute/core';
import type { WireCodec } from '@hybridcompute/wire';

/**
 * Encodes a successful answer (`{ result }`, with an `id` on a WebSocket)
 * in the caller's encoding, or says why it cannot: a result that encoding
 * would change (a `Map` toward a JSON caller) is `TASK_FAILED` naming where
 * it is, never sent changed. The task has run; only its answer cannot travel.
 */
export function encodeAnswer(
  codec: WireCodec,
  answer: { result: unknown; id?: unknown },
  taskName: string,
): { ok: true; data: string | Uint8Array } | { ok: false; error: ComputeError } {
  const mismatch = codec.mismatchOf(answer.result, 'result');
  const advice = codec.encoding === 'json' ? '; call with MessagePack (the client’s default toward this server) to receive it' : '';
  if (mismatch === undefined) {
    try {
      return { ok: true, data: codec.encode(answer) };
    } catch (error) {
      return { ok: false, error: notCarried(taskName, `it could not be encoded: ${(error as Error).message}`, error) };
    }
  }
  return { ok: false, error: notCarried(taskName, `${mismatch}${advice}`, undefined) };
}

function notCarried(taskName: string, why: string, cause: unknown): ComputeError {
  return new ComputeError({
    code: 'TASK_FAILED',
    message: `Task '${taskName}' returned a value its caller's encoding cannot carry: ${why}`,
    taskName,
    backend: 'server',
    ...(cause === undefined ? {} : { cause }),
  });
}
