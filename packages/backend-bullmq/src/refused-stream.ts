import { ComputeError, lazyStream } from '@hybridcompute/core';

/**
 * What a BullMQ backend's `streamTask` returns: a stream whose first step
 * rejects with `INVALID_REQUEST`. A queue's job carries one answer, its
 * return value, written once when it finishes: there is nowhere for a
 * sequence of chunks, with flow control, to travel.
 */
export function refusedStream(backend: string, taskName: unknown): AsyncIterable<never> {
  return lazyStream<never>(() => {
    const name = String(taskName);
    const message =
      `Backend '${backend}' (BullMQ) cannot stream task '${name}': a queue's job carries one answer, its return value, not a stream of chunks. ` +
      'Use runTask (with onProgress for values along the way), or stream from a worker or remote backend';
    throw new ComputeError({ code: 'INVALID_REQUEST', message, taskName: name, backend });
  });
}
