import { ComputeError } from '@hybridcompute/core';
import type { WireCodec } from '@hybridcompute/wire';

/**
 * Where a chunk or progress value would be changed by the caller's encoding,
 * or `undefined`. Beyond the codec's own check, JSON cannot say `undefined`
 * in a frame (`{ "id": 1, "chunk": undefined }` would read as `{ "id": 1 }`,
 * a result), so a stream refuses it rather than send something else.
 */
export function streamValueMismatch(codec: WireCodec, value: unknown, path: string): string | undefined {
  if (value === undefined && codec.encoding === 'json') return `${path}: undefined cannot travel as JSON`;
  return codec.mismatchOf(value, path);
}

/** The `TASK_FAILED` of a chunk or progress value the caller's encoding cannot carry: the task has run this far. */
export function notCarriedError(taskName: string, mismatch: string): ComputeError {
  const advice = mismatch.endsWith('as JSON') ? '; call with MessagePack (the client’s default toward this server) to receive it' : '';
  return new ComputeError({
    code: 'TASK_FAILED',
    message: `Task '${taskName}' streamed a value its caller's encoding cannot carry: ${mismatch}${advice}`,
    taskName,
    backend: 'server',
  });
}
