import { abortErrorFrom, ComputeError, idempotencyKeyHeader, timeoutHeader, withCallNames } from '@hybridcompute/core';
import type { WireCodec } from '@hybridcompute/wire/json';
import type { HttpTransport } from './http-transport.js';
import { readComputeAnswer } from './read-http-answer.js';
import { requestWithProgress } from './request-with-progress.js';
import { addTraceHeaders } from './trace-http-call.js';
import type { RemoteEndpoint } from './remote-endpoint.js';

/** One HTTP call's parts, as the backend has them. */
export interface HttpCall {
  taskName: string;
  input: unknown;
  /** The encoding the call goes out in (checked already: `input` fits it). */
  codec: WireCodec;
  /** The call's own headers so far (the token): a fresh object, which the call adds to. */
  headers: Record<string, string>;
  /** When the whole call must end; sent as `x-compute-timeout`. */
  deadlineAt: number | undefined;
  idempotencyKey: string | undefined;
  signal: AbortSignal | undefined;
  backend: string;
  /** The caller's onProgress: the answer is asked for as a stream of progress records, then the result. */
  onProgress?: ((value: unknown) => void) | undefined;
  /** The longest record of a streamed answer (the backend's `maxResponseBytes`). */
  maxRecordBytes?: number | undefined;
}

interface Waiter {
  wake(): void;
}

/**
 * POSTs one call to `endpoint` and reads its answer, within the endpoint's
 * admission limit: past it the call waits on the client, and a `QUEUE_FULL`
 * answer (the server's limit is shared with other clients) puts it back at
 * the front of the queue until another call to that endpoint finishes.
 * Every answer teaches the endpoint the `maxConcurrency` it advertises.
 */
export async function sendHttpCall(transport: HttpTransport, endpoint: RemoteEndpoint, call: HttpCall): Promise<unknown> {
  const { taskName, input, signal, backend, codec } = call;
  let body: string | Uint8Array;
  try {
    body = codec.encode(input === undefined ? { task: taskName } : { task: taskName, input });
  } catch (error) {
    throw new ComputeError({ code: 'INVALID_REQUEST', message: `The input of task '${taskName}' could not be encoded: ${(error as Error).message}`, taskName, backend, cause: error });
  }
  addTraceHeaders(call.headers);
  const admission = endpoint.admission;
  let admitted = admission.tryAdmit();
  try {
    for (;;) {
      if (!admitted) {
        await waitForRoom(endpoint, call);
        admitted = true;
      }
      const { headers } = call;
      headers['content-type'] = codec.contentType;
      if (call.deadlineAt !== undefined) headers[timeoutHeader] = String(Math.max(1, call.deadlineAt - Date.now()));
      if (call.idempotencyKey !== undefined) headers[idempotencyKeyHeader] = call.idempotencyKey;
      const { onProgress } = call;
      const answer =
        onProgress === undefined || transport.requestStream === undefined
          ? await transport.request('POST', endpoint.url, headers, body, signal)
          : await requestWithProgress(transport as HttpTransport & Required<Pick<HttpTransport, 'requestStream'>>, endpoint.url, { headers, body, codec, signal, onProgress, taskName, backend, maxRecordBytes: call.maxRecordBytes ?? Number.POSITIVE_INFINITY });
      if ('streamed' in answer) return answer.result;
      admission.learn(answer.maxConcurrency);
      endpoint.learnEncodings(answer.encodings);
      try {
        return readComputeAnswer(answer, endpoint.url, taskName, backend);
      } catch (error) {
        if (!(ComputeError.isInstance(error) && error.code === 'QUEUE_FULL')) throw error;
        admitted = false;
        if (!(await requeueRefused(endpoint, call))) throw error;
        admitted = true;
      }
    }
  } catch (error) {
    throw ComputeError.isInstance(error) ? withCallNames(error, taskName, backend) : error;
  } finally {
    if (admitted) {
      admission.finished();
      wakeWaiting(endpoint);
    }
  }
}

function newWaiter(): Waiter & { woken(signal: AbortSignal | undefined, leave: () => void, taskName: string, backend: string): Promise<void> } {
  let wake!: () => void;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  return {
    wake: () => wake(),
    woken(signal, leave, taskName, backend) {
      if (signal === undefined) return woken;
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          leave();
          reject(abortErrorFrom(signal.reason, taskName, backend));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        void woken.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    },
  };
}

/**
 * After a `QUEUE_FULL` answer to an admitted call (it never started there):
 * puts the call back at the front of the endpoint's queue and resolves
 * `true` once it is admitted again, when another of this endpoint's calls
 * finishes; resolves `false` at once when none is in flight to wait for (the
 * caller passes the refusal on). The call is not admitted while it waits;
 * its signal ends the wait with `TASK_ABORTED` / `TASK_TIMEOUT`. Plain calls
 * and HTTP streams share it.
 */
export async function requeueRefused(endpoint: RemoteEndpoint, call: Pick<HttpCall, 'signal' | 'taskName' | 'backend'>): Promise<boolean> {
  const waiter = newWaiter();
  if (!endpoint.admission.refused(waiter)) {
    // None of ours is left there to wake the calls held behind an earlier refusal: wake them now.
    wakeWaiting(endpoint);
    return false;
  }
  await waiter.woken(call.signal, () => leaveQueue(endpoint, waiter), call.taskName, call.backend);
  return true;
}

export function waitForRoom(endpoint: RemoteEndpoint, call: Pick<HttpCall, 'signal' | 'taskName' | 'backend'>): Promise<void> {
  const waiter = newWaiter();
  endpoint.admission.enqueue(waiter);
  return waiter.woken(call.signal, () => leaveQueue(endpoint, waiter), call.taskName, call.backend);
}

// A waiter whose deadline passed leaves the queue; if it had just been admitted, its place goes to the next.
function leaveQueue(endpoint: RemoteEndpoint, waiter: Waiter): void {
  if (endpoint.admission.remove(waiter)) return;
  endpoint.admission.finished();
  wakeWaiting(endpoint);
}

// Admits as many waiting calls as there is room for (the limit may have grown).
export function wakeWaiting(endpoint: RemoteEndpoint): void {
  for (let next = endpoint.admission.admitNext(); next !== undefined; next = endpoint.admission.admitNext()) (next as Waiter).wake();
}
