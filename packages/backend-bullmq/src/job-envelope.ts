import { ComputeError } from '@hybridcompute/core';
import { msgpackCodec } from '@hybridcompute/wire';

/**
 * What a job carries in `job.data`; the task's name is the job's name.
 * `deadline` is the caller's deadline in milliseconds since the epoch: a
 * worker does not start a job whose deadline has passed, and stops one that
 * runs past it.
 *
 * @example
 * ```ts
 * // Enqueue a job without the backend (from a script, say); a worker of this package runs it.
 * const data: BullmqJobData = { input: 21, deadline: Date.now() + 60_000 };
 * await queue.add('double', data);
 * ```
 */
export interface BullmqJobData {
  /** The input as plain JSON: what jobs from producers outside this package (and older versions) carry. */
  input?: unknown;
  /**
   * The input as MessagePack with the structured-clone extensions, in
   * base64: what this package's backend writes, so typed arrays, `Map`s,
   * `Date`s and the rest come back from Redis unchanged.
   */
  encoded?: string;
  deadline: number;
  /** W3C trace context of the producer span, written only when the caller had an active span. */
  traceparent?: string;
  /** W3C `tracestate`, beside `traceparent` when there is one. */
  tracestate?: string;
  /**
   * Set when the caller listens for progress: the worker then passes the
   * task's `ctx.progress` values on as `job.updateProgress({ encoded })`
   * (see {@link BullmqJobProgress}). Without it, progress goes nowhere and costs nothing.
   */
  progress?: true;
}

/**
 * A job's progress as this package's worker reports it (`job.progress`, and
 * the `data` of a `QueueEvents` 'progress' event): the task's latest
 * `ctx.progress` value, as base64 MessagePack.
 *
 * @example
 * ```ts
 * queueEvents.on('progress', ({ jobId, data }) => {
 *   console.log(jobId, decodeJobValue((data as BullmqJobProgress).encoded));
 * });
 * ```
 */
export interface BullmqJobProgress {
  encoded: string;
}

/**
 * What a job that succeeded returns (its `returnvalue`): the task's output, wrapped so `undefined` survives.
 *
 * @example
 * ```ts
 * // Reading results in a dashboard or a script, next to the backend.
 * queueEvents.on('completed', ({ jobId, returnvalue }) => {
 *   const { result } = returnvalue as unknown as BullmqJobResult;
 *   console.log(jobId, result);
 * });
 * ```
 */
export interface BullmqJobResult {
  /** The result as plain JSON (from workers before MessagePack). */
  result?: unknown;
  /** The result as base64 MessagePack: what this package's worker writes. */
  encoded?: string;
}

/**
 * A value as job data carries it: MessagePack with the structured-clone
 * extensions, in base64 (BullMQ stores job data and results as JSON).
 *
 * @example
 * ```ts
 * await queue.add('blur', { encoded: encodeJobValue({ pixels: new Uint8Array(16) }), deadline: Date.now() + 60_000 });
 * ```
 */
export function encodeJobValue(value: unknown): string {
  return Buffer.from(msgpackCodec.encode(value) as Uint8Array).toString('base64');
}

/**
 * Reads a value {@link encodeJobValue} wrote. Anything else is a
 * `PROTOCOL_ERROR`, never a crash.
 *
 * @example
 * ```ts
 * const input = decodeJobValue(job.data.encoded); // the caller's value, as it was
 * ```
 */
export function decodeJobValue(encoded: unknown): unknown {
  if (typeof encoded !== 'string') throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `An encoded job value must be a base64 string, got ${typeof encoded}` });
  return msgpackCodec.decode(Buffer.from(encoded, 'base64'));
}

/**
 * The `failedReason` a worker records for a failed job: the serialized
 * `ComputeError` as JSON, so its `code` and `cause` (name, message and the
 * task's own `code`) reach the caller. BullMQ alone keeps only a message.
 *
 * @example
 * ```ts
 * // A processor of your own that fails jobs the way createBullmqWorker does.
 * const worker = new Worker('compute', async (job) => {
 *   throw new Error(encodeJobFailure(new ComputeError({ code: 'TASK_FAILED', message: 'no such image', taskName: job.name })));
 * }, { connection });
 * ```
 */
export function encodeJobFailure(error: ComputeError): string {
  return JSON.stringify(error.toJSON());
}

// BullMQ's failedReason for a job that stalled more than maxStalledCount times, and what it means.
const stalledTooOften = 'job stalled more than allowable limit';
const stalledTooOftenExplained =
  `${stalledTooOften}: its job stalled more than maxStalledCount times, each time because the worker running it ` +
  'stopped renewing its lock: the worker died, or the task blocked its event loop for longer than lockDuration ' +
  '(run such tasks on a worker-thread backend, or raise lockDuration)';

/**
 * Turns a failed job's `failedReason` back into a `ComputeError`. A reason
 * that is not an envelope (BullMQ's own, such as a job that stalled too often,
 * or a worker outside this package) becomes `TASK_FAILED` with the reason as
 * its message: the job ran and did not succeed. It never throws, whatever the
 * reason holds.
 *
 * @example
 * ```ts
 * for (const job of await queued.queue.getFailed()) {
 *   const error = decodeJobFailure(job.failedReason, job.name, 'bullmq');
 *   console.log(job.id, error.code, error.cause);
 * }
 * ```
 */
export function decodeJobFailure(reason: unknown, taskName: string, backend: string): ComputeError {
  const text = typeof reason === 'string' ? reason : '';
  const envelope = parseEnvelope(text);
  if (envelope !== undefined) {
    return new ComputeError({
      code: envelope.code,
      message: envelope.message,
      taskName,
      backend,
      ...(envelope.cause === undefined ? {} : { cause: envelope.cause }),
    });
  }
  return new ComputeError({
    code: 'TASK_FAILED',
    message: `Task '${taskName}' failed: ${text === stalledTooOften ? stalledTooOftenExplained : text || 'the job failed without a reason'}`,
    taskName,
    backend,
    cause: new Error(text),
  });
}

/** Whether `value` has the shape of {@link BullmqJobData}. `input` may be missing: JSON drops an `undefined` one, and `encoded` stands in for it. */
export function isBullmqJobData(value: unknown): value is BullmqJobData {
  return typeof value === 'object' && value !== null && typeof (value as { deadline?: unknown }).deadline === 'number';
}

/**
 * Whether a completed job's return value is a result envelope: an object
 * with no key but `result` (`{}` when the task returned `undefined`).
 */
export function isBullmqJobResult(value: unknown): value is BullmqJobResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (key !== 'result' && key !== 'encoded') return false;
  return true;
}

/**
 * The result a job's return value holds: decoded from `encoded`, or the
 * plain `result` of a worker before MessagePack.
 *
 * @throws `PROTOCOL_ERROR` for an `encoded` that is not this package's.
 *
 * @example
 * ```ts
 * queueEvents.on('completed', ({ returnvalue }) => console.log(resultOfJob(returnvalue as unknown as BullmqJobResult)));
 * ```
 */
export function resultOfJob(value: BullmqJobResult): unknown {
  return value.encoded === undefined ? value.result : decodeJobValue(value.encoded);
}

/**
 * The value a progress event carries: decoded from {@link BullmqJobProgress},
 * or as it is from a worker outside this package (`job.updateProgress(42)`).
 *
 * @throws `PROTOCOL_ERROR` for an `encoded` that is not this package's.
 */
export function progressValueOf(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const keys = Object.keys(data);
  return keys.length === 1 && keys[0] === 'encoded' ? decodeJobValue((data as BullmqJobProgress).encoded) : data;
}

function parseEnvelope(text: string): ComputeError | undefined {
  if (!text.startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || (json as { name?: unknown }).name !== 'ComputeError') return undefined;
  const error = ComputeError.fromJSON(json);
  return error.code === 'PROTOCOL_ERROR' && (json as { code?: unknown }).code !== 'PROTOCOL_ERROR' ? undefined : error;
}
