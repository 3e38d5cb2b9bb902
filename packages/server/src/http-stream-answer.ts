import type { ServerResponse } from 'node:http';
import { ComputeError } from '@hybridcompute/core';
import { codecOf, encodeRecord, streamMediaTypeOf, type WireCodec, type WireEncoding } from '@hybridcompute/wire';
import type { CallOrigin } from './call-origin.js';
import type { CallOutcome, CallRunner } from './call-runner.js';
import { CallStop } from './call-stop.js';
import { errorBodyOf, refusal } from './error-body-of.js';
import type { ParsedCall } from './parse-call.js';
import type { ChunkSink } from './stream-pump.js';
import { ProgressOutlet } from './progress-outlet.js';
import { notCarriedError, streamValueMismatch } from './stream-value-mismatch.js';

/**
 * A streamed HTTP answer: `200` with `Content-Type` {@link streamMediaTypeOf}
 * and one record per progress value (`{ progress }`) or chunk (`{ chunk }`),
 * ended by `{ end: true }` (a stream), `{ result }` (a call with progress) or
 * an error record `{ error, code, ... }`. The status and headers go out with
 * the first record, so a call refused before it sends anything (unknown
 * task, `QUEUE_FULL`) is answered plainly, with its status; a call with
 * progress that reports none is answered with the plain `{ result }`.
 *
 * Flow control is TCP's: while the response does not drain, {@link room}
 * holds the pump, so the generator waits at its `yield`, and holds progress
 * in a {@link ProgressOutlet} (coalesced, latest wins; the task's
 * `ctx.progress` promise waits for the drain).
 */
export class HttpStreamAnswer implements ChunkSink {
  readonly #response: ServerResponse;
  readonly #codec: WireCodec;
  readonly #headers: Record<string, string>;
  readonly #taskName: string;
  #started = false;
  #progress: ProgressOutlet | undefined;

  constructor(response: ServerResponse, codec: WireCodec, headers: Record<string, string>, taskName: string) {
    this.#response = response;
    this.#codec = codec;
    this.#headers = headers;
    this.#taskName = taskName;
  }

  /** Whether the status and a record have gone out: the answer can only end with a record now. */
  get started(): boolean {
    return this.#started;
  }

  room(): Promise<void> | undefined {
    const response = this.#response;
    if (!response.writableNeedDrain || response.destroyed) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }

  chunk(value: unknown): ComputeError | undefined {
    const mismatch = streamValueMismatch(this.#codec, value, 'chunk');
    if (mismatch !== undefined) return notCarriedError(this.#taskName, mismatch);
    this.#progress?.sendHeld();
    this.#write({ chunk: value });
    return undefined;
  }

  /** The caller's `onProgress`, on this answer; a value its encoding cannot carry stops the call with `TASK_FAILED`. */
  progressFor(stop: CallStop): (value: unknown) => Promise<void> | undefined {
    const outlet = new ProgressOutlet(
      (value) => this.#write({ progress: value }),
      () => this.room(),
    );
    this.#progress = outlet;
    return (value) => {
      if (stop.reason !== undefined) return undefined;
      const mismatch = streamValueMismatch(this.#codec, value, 'progress');
      if (mismatch === undefined) return outlet.push(value);
      stop.stop(notCarriedError(this.#taskName, mismatch));
      return undefined;
    };
  }

  /** Writes the last record (after the progress value held, if any) and ends the answer. */
  finish(record: unknown): void {
    this.#progress?.flush();
    this.#write(record);
    if (!this.#response.destroyed) this.#response.end();
  }

  /** The answer will not be finished (its request is gone): a task waiting on its progress goes on. */
  abandon(): void {
    this.#progress?.close();
  }

  #write(record: unknown): void {
    const response = this.#response;
    if (response.destroyed) return;
    if (!this.#started) {
      this.#started = true;
      response.writeHead(200, { ...this.#headers, 'content-type': streamMediaTypeOf[this.#codec.encoding], 'cache-control': 'no-store' });
    }
    response.write(encodeRecord(this.#codec, record));
  }
}

/** What {@link answerStreamed} needs from the HTTP handler. */
export interface StreamedCall {
  runner: CallRunner;
  response: ServerResponse;
  call: ParsedCall;
  /** The encoding `Accept` asked for; `undefined` when it asked for no stream. */
  encoding: WireEncoding | undefined;
  timeout: number | undefined;
  /** The headers every answer carries (`x-compute-max-concurrency`, ...). */
  headers: Record<string, string>;
  debug: boolean;
  /** Who called: for {@link CallRunner.answered}. */
  origin: CallOrigin;
  /** Answers plainly with an error, with its status: nothing was streamed yet. */
  refuse(error: unknown): void;
  /** Answers plainly with `{ result }`, or with the error of a result that cannot be encoded: returns which. */
  answer(result: unknown): CallOutcome;
}

/**
 * Runs a call whose request asked for a streamed answer (`Accept`), or a
 * stream (`"stream": true` in the body), and answers it. Closing the
 * request stops the call: the generator is closed, its signal aborts.
 */
export async function answerStreamed(streamed: StreamedCall): Promise<void> {
  const started = streamed.runner.callStarted(streamed.origin);
  const answered = await answerStreamedCall(streamed);
  streamed.runner.answered(streamed.call, answered, started, streamed.origin);
}

/** {@link answerStreamed}'s answer: resolves, once the last record went, with what the caller got. */
async function answerStreamedCall(streamed: StreamedCall): Promise<CallOutcome> {
  const { response, call, runner } = streamed;
  if (streamed.encoding === undefined) {
    const accepts = `${streamMediaTypeOf.json} or ${streamMediaTypeOf.msgpack}`;
    const error = refusal('INVALID_REQUEST', `A stream is answered as ${accepts}: ask for one with Accept`, call.task);
    streamed.refuse(error);
    return { ok: false, error };
  }
  const answer = new HttpStreamAnswer(response, codecOf(streamed.encoding), streamed.headers, call.task);
  const stop = new CallStop();
  const onClose = (): void => {
    if (!response.writableFinished) stop.stop(new ComputeError({ code: 'TASK_ABORTED', message: `Task '${call.task}' was aborted by the caller`, taskName: call.task, backend: 'server' }));
  };
  response.on('close', onClose);
  const onProgress = answer.progressFor(stop);
  const outcome = call.stream === undefined ? await runner.run(call, streamed.timeout, stop, onProgress) : await runner.stream(call, streamed.timeout, stop, answer, onProgress);
  response.off('close', onClose);
  if (response.destroyed) {
    answer.abandon();
    return outcome;
  }
  if (!answer.started && !(outcome.ok && call.stream !== undefined)) {
    answer.abandon();
    if (outcome.ok) return streamed.answer(outcome.result);
    streamed.refuse(outcome.error);
    return outcome;
  }
  if (!outcome.ok) {
    answer.finish(errorBodyOf(outcome.error, streamed.debug).body);
    return outcome;
  }
  if (call.stream !== undefined) {
    answer.finish({ end: true });
    return outcome;
  }
  const mismatch = streamValueMismatch(codecOf(streamed.encoding), outcome.result, 'result');
  if (mismatch === undefined || outcome.result === undefined) {
    answer.finish({ result: outcome.result });
    return outcome;
  }
  const error = notCarriedError(call.task, mismatch);
  answer.finish(errorBodyOf(error, streamed.debug).body);
  return { ok: false, error };
}
