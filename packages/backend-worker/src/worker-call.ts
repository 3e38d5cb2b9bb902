import type { InFlightCall } from '@hybridcompute/core';
import type { TraceCarrier } from './trace-context-carrier.js';
import type { WorkerChannel } from './worker-channel.js';
import type { WorkerStream } from './worker-stream.js';

/**
 * Where a call is: waiting for a worker, sent to one, aborted while its task
 * may still run there (it keeps its worker's slot until the task stops), or
 * off the worker for good.
 */
export type WorkerCallPhase = 'queued' | 'running' | 'aborting' | 'done';

/** What the pool keeps with each call in its `CallsInFlight` table. Internal. */
export class WorkerCallState {
  phase: WorkerCallPhase = 'queued';
  /** The worker the call was sent to. */
  channel: WorkerChannel | undefined = undefined;
  /** Until it is sent; then dropped, so a long task does not pin its input. */
  input: unknown;
  /** `performance.now()` when it had to wait for a worker; 0 when one took it at once. */
  enqueuedAt = 0;
  startedAt = 0;
  /** After an abort: how long its task has to stop before its worker goes. */
  graceTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The caller's `onProgress`, for a call that reports. */
  onProgress: ((value: unknown) => void) | undefined;
  /** Progress values delivered since the last acknowledgement to the worker (see `progressAckEvery`). */
  progressDelivered = 0;
  /** The reader of a stream call. */
  stream: WorkerStream | undefined;

  /** The caller's trace context, when a tracer is active: such a call is sent alone, with it. */
  traceCarrier: TraceCarrier | undefined = undefined;

  constructor(input: unknown, onProgress?: ((value: unknown) => void) | undefined, stream?: WorkerStream | undefined) {
    this.input = input;
    this.onProgress = onProgress;
    this.stream = stream;
  }
}

/** One call of the pool. */
export type WorkerCall = InFlightCall<unknown, WorkerCallState>;
