import { ComputeError, type SerializedComputeError } from '@hybridcompute/core';
import type { Endpoint } from 'comlink';
import { offeredWake, wakeIdleWorker, wakeRequest } from './atomics-idle-wait.js';
import { comlinkApply, comlinkRun, replyValue, type ComlinkReply } from './comlink-wire.js';
import { deserializeThrown } from './error-transfer-handler.js';
import { transferListOf } from './transfer.js';
import type { WorkerCall } from './worker-call.js';
import { deliverProgress } from './worker-progress-window.js';
import type { SpawnedWorker, WorkerPlatform } from './worker-platform.js';
import {
  asyncMarker,
  batchMarker,
  chunkMessageType,
  chunksMessageType,
  creditMessageKey,
  isReadyMessage,
  outcomeFulfilled,
  outcomePending,
  progressMessageType,
  readyMessageKey,
  type CallMessage,
} from './worker-protocol.js';

/** What a {@link WorkerChannel} tells its pool. Internal. */
export interface WorkerChannelEvents {
  /** The worker ran `exposeTasks`: it takes calls from now on. */
  ready(channel: WorkerChannel, taskNames: readonly string[]): void;
  /** The worker answered a running call; its slot is free again. `value` is the result, or the thrown value when `ok` is false. */
  answered(channel: WorkerChannel, call: WorkerCall, ok: boolean, value: unknown): void;
  /** The task of an aborted call stopped; its slot is free again. */
  stopped(channel: WorkerChannel, call: WorkerCall): void;
  /** The worker answered for the first time (so its worker file works). */
  firstAnswer(channel: WorkerChannel): void;
  /** The task of an aborted call did not stop within `abortGrace`: the worker may be stuck for good. */
  stuck(channel: WorkerChannel, call: WorkerCall): void;
  /** The worker stopped on its own (never after `forget`). */
  exited(channel: WorkerChannel, error: Error): void;
  /** The worker did not run `exposeTasks` within `startupTimeout`. */
  startTimedOut(channel: WorkerChannel, error: Error): void;
}

/** How a {@link WorkerChannel} starts its worker. Internal. */
export interface WorkerChannelSettings {
  readonly url: string | URL;
  readonly workerOptions: object | undefined;
  /** Take the worker's offer to sleep on `Atomics.wait` when idle. */
  readonly atomics: boolean;
  readonly startupTimeout: number;
  readonly abortGrace: number;
  /** The pool's name, for the errors the channel makes. */
  readonly backend: string;
}

/**
 * One worker, seen from the pool: it starts the worker, waits for its
 * handshake, carries calls to it in comlink's wire format (alone, or several
 * as one batch) and routes every answer back from one listener, cancels
 * aborted calls, and reports the worker's exit. Which calls go to which
 * worker, and what an answer means for the caller, is the pool's business.
 * Internal.
 */
export class WorkerChannel {
  state: 'starting' | 'ready' | 'gone' = 'starting';
  /** Calls holding a slot: sent (or about to be) and not answered; aborted ones until their task stops. */
  inFlight = 0;
  /** Aborted calls whose task has not stopped yet: the worker may be stuck, so it takes no new calls. */
  readonly aborting = new Set<WorkerCall>();
  /** Whether the worker has answered any call. */
  answeredAny = false;

  readonly #settings: WorkerChannelSettings;
  readonly #events: WorkerChannelEvents;
  readonly #spawned: SpawnedWorker;
  readonly #endpoint: Endpoint;
  #startupTimer: ReturnType<typeof setTimeout> | undefined;
  // Set once the worker sleeps on Atomics.wait when idle: bumped and notified after every message.
  #wake: Int32Array | undefined;
  // comlink requests awaiting their answer, by request id: a call sent alone
  // uses its own id and is its own entry (no closure per call); the channel's
  // other requests (batches, takeResults, cancel) count down from -1.
  readonly #replies = new Map<number, WorkerCall | ((ok: boolean, value: unknown) => void)>();
  #nextRequestId = -1;
  // Calls handed over in this turn, sent together at its end.
  #outbox: WorkerCall[] = [];
  #flushScheduled = false;
  // Calls sent in a batch whose outcome comes later, by id: those still running when the batch
  // answered (their outcomes come through takeResults), and those reporting progress (from
  // the start). The others, nearly all, are found through their batch: no entry each.
  readonly #batched = new Map<number, WorkerCall>();
  #polling = false;

  /** Starts the worker; throws what the platform throws when it cannot. */
  constructor(platform: WorkerPlatform, settings: WorkerChannelSettings, events: WorkerChannelEvents) {
    this.#settings = settings;
    this.#events = events;
    this.#spawned = platform.spawn(settings.url, settings.workerOptions, {
      onExit: (error) => {
        if (this.state !== 'gone') this.#events.exited(this, error);
      },
    });
    this.#endpoint = this.#spawned.endpoint;
    this.#endpoint.addEventListener('message', this.#onMessage as EventListener);
    this.#endpoint.start?.();
    this.#startupTimer = setTimeout(() => {
      this.#startupTimer = undefined;
      const error = new Error(`the worker ${String(settings.url)} did not call exposeTasks within ${settings.startupTimeout} ms`);
      this.#events.startTimedOut(this, error);
    }, settings.startupTimeout);
  }

  /** Hands a running call to the worker; calls handed over in one turn go together. */
  send(call: WorkerCall): void {
    this.inFlight++;
    // A traced call goes alone, its trace context beside it (batches carry none).
    if (call.state.traceCarrier !== undefined) return this.#sendAlone(call);
    this.#outbox.push(call);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /**
   * Tells the worker to abort a call's `ctx.signal`. The call keeps its slot
   * until its task stops; after `abortGrace` the pool hears `stuck`.
   */
  cancel(call: WorkerCall, reason: ComputeError): void {
    const state = call.state;
    state.phase = 'aborting';
    this.aborting.add(call);
    state.graceTimer = setTimeout(this.#onGraceOver, this.#settings.abortGrace, call);
    // Fire and forget: the answer has no entry in #replies and is dropped.
    this.#post(comlinkApply(this.#nextRequestId--, 'cancel', [call.id, reason.toJSON() satisfies SerializedComputeError]));
  }

  /**
   * Lets the worker send `credit` more chunks of a stream call. No wake: a
   * worker running a stream never sleeps on its wake array.
   */
  grant(call: WorkerCall, credit: number): void {
    if (this.state !== 'gone') this.#endpoint.postMessage({ [creditMessageKey]: call.id, credit });
  }

  /**
   * Stops routing anything to or from the worker and drops its calls (the
   * pool settles them); terminating it is {@link WorkerChannel.terminate}.
   */
  forget(): void {
    this.state = 'gone';
    clearTimeout(this.#startupTimer);
    for (const call of this.aborting) {
      clearTimeout(call.state.graceTimer);
      call.state.phase = 'done';
    }
    this.aborting.clear();
    this.#outbox = [];
    this.#batched.clear();
    this.#replies.clear();
    this.inFlight = 0;
  }

  /** Terminates the worker; resolves once it is gone (never rejects). */
  terminate(): Promise<void> {
    return this.#spawned.terminate().catch(noop);
  }

  // One listener per worker: the handshake, then comlink's answers.
  readonly #onMessage = (event: MessageEvent): void => {
    const data = event.data as ComlinkReply | null;
    if (typeof data !== 'object' || data === null || this.state === 'gone') return;
    const reply = typeof data.id === 'number' && (data.type === 'RAW' || data.type === 'HANDLER') ? this.#replies.get(data.id) : undefined;
    if (reply === undefined) {
      if (data.type === chunkMessageType || data.type === chunksMessageType || data.type === progressMessageType) this.#onCallMessage(data as CallMessage);
      else if (this.state === 'starting' && isReadyMessage(data)) this.#onHandshake(data, data[readyMessageKey]);
      return;
    }
    this.#replies.delete(data.id as number);
    let ok = true;
    let value = data.value;
    if (data.type === 'HANDLER') ({ ok, value } = replyValue(data));
    if (typeof reply === 'function') reply(ok, value);
    else this.#answer(reply, ok, value);
  };

  // A progress value or a chunk of a call, sent alone (its request id is the call's id) or in a batch.
  #onCallMessage(message: CallMessage): void {
    const call = this.#replies.get(message.id) ?? this.#batched.get(message.id);
    if (typeof call !== 'object' || call.settled) return;
    const state = call.state;
    if (message.type === chunkMessageType) {
      state.stream?.push(message.value);
      return;
    }
    if (message.type === chunksMessageType) {
      const stream = state.stream;
      if (stream !== undefined) for (const chunk of message.value as unknown[]) stream.push(chunk);
      return;
    }
    if (state.onProgress === undefined) return;
    deliverProgress(state, message.value, (count) => {
      if (!call.settled && this.state !== 'gone') this.#endpoint.postMessage({ [creditMessageKey]: call.id, progress: count });
    });
  }

  #onHandshake(handshake: object, taskNames: readonly string[]): void {
    clearTimeout(this.#startupTimer);
    this.#startupTimer = undefined;
    const wake = this.#settings.atomics ? offeredWake(handshake) : undefined;
    if (wake !== undefined) {
      this.#wake = wake;
      this.#post(wakeRequest);
    }
    this.state = 'ready';
    this.#events.ready(this, taskNames);
  }

  #answer(call: WorkerCall, ok: boolean, outcome: unknown): void {
    const state = call.state;
    // An answer for a call this channel no longer carries (it was forgotten) changes nothing.
    if (state.channel !== this || (state.phase !== 'running' && state.phase !== 'aborting')) return;
    if (!this.answeredAny) {
      this.answeredAny = true;
      this.#events.firstAnswer(this);
    }
    this.inFlight--;
    if (state.phase === 'aborting') {
      clearTimeout(state.graceTimer);
      state.graceTimer = undefined;
      this.aborting.delete(call);
      state.phase = 'done';
      this.#events.stopped(this, call);
    } else {
      state.phase = 'done';
      this.#events.answered(this, call, ok, outcome);
    }
  }

  readonly #onGraceOver = (call: WorkerCall): void => {
    call.state.graceTimer = undefined;
    if (this.state !== 'gone' && this.aborting.has(call)) this.#events.stuck(this, call);
  };

  #post(message: object, transfers?: Transferable[]): void {
    this.#endpoint.postMessage(message, transfers);
    if (this.#wake !== undefined) wakeIdleWorker(this.#wake);
  }

  // Sends the calls handed over in this turn: one alone as a plain comlink call;
  // several (when tasks are short) as one batch, so that comlink's cost per
  // request (an envelope, a listener turn) is paid once for all of them.
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const handedOver = this.#outbox;
    this.#outbox = [];
    if (this.state === 'gone' || handedOver.length === 0) return;
    let calls = handedOver;
    if (handedOver.some(needsSorting)) {
      calls = [];
      for (const call of handedOver) {
        const state = call.state;
        // Aborted before they were sent: the worker never hears of them.
        if (state.phase !== 'running') this.#answer(call, false, undefined);
        // Streams go alone: their chunks and credits need a request of their own.
        else if (state.stream !== undefined) this.#sendAlone(call);
        else calls.push(call);
      }
    }
    if (calls.length <= 1) {
      if (calls.length === 1) this.#sendAlone(calls[0]!);
      return;
    }
    const flat: unknown[] = new Array(calls.length * 3);
    let transfers: Transferable[] | undefined;
    let reporting: number[] | undefined;
    for (let index = 0; index < calls.length; index++) {
      const call = calls[index]!;
      const input = call.state.input;
      call.state.input = undefined;
      if (call.state.onProgress !== undefined) {
        (reporting ??= []).push(call.id);
        this.#batched.set(call.id, call);
      }
      flat[index * 3] = call.id;
      flat[index * 3 + 1] = call.taskName;
      flat[index * 3 + 2] = input;
      const list = transferListOf(input);
      if (list !== undefined) (transfers ??= []).push(...list);
    }
    const id = this.#nextRequestId--;
    this.#replies.set(id, (ok, value) => {
      if (ok) this.#batchAnswered(calls, value as unknown[]);
      else this.#batchFailed(calls, flat, value);
    });
    try {
      this.#post(comlinkApply(id, 'runBatch', reporting === undefined ? [flat] : [flat, reporting]), transfers);
    } catch (error) {
      this.#replies.delete(id);
      this.#batchFailed(calls, flat, error);
    }
  };

  #sendAlone(call: WorkerCall): void {
    const input = call.state.input;
    call.state.input = undefined;
    this.#replies.set(call.id, call);
    const { stream, onProgress } = call.state;
    const reporting = onProgress !== undefined;
    let request: object;
    const { traceCarrier } = call.state;
    // Trace context goes last, and only when there is some: untraced messages stay as they were.
    const traced = traceCarrier === undefined ? [] : [traceCarrier];
    if (stream !== undefined) request = comlinkApply(call.id, 'stream', [call.id, call.taskName, input, stream.highWaterMark, reporting, ...traced]);
    else if (reporting) request = comlinkApply(call.id, 'runReporting', [call.id, call.taskName, input, ...traced]);
    else request = comlinkRun(call.id, call.taskName, input, traceCarrier);
    try {
      this.#post(request, transferListOf(input));
    } catch (error) {
      // Nothing was sent (an input that cannot be cloned).
      this.#replies.delete(call.id);
      this.#answer(call, false, error);
    }
  }

  #batchAnswered(calls: WorkerCall[], outcomes: unknown[]): void {
    if (this.state === 'gone') return;
    if (!Array.isArray(outcomes) || outcomes[0] !== batchMarker) {
      const error = new ComputeError({ code: 'PROTOCOL_ERROR', message: 'A worker answered a batch with something else', backend: this.#settings.backend });
      this.#batchFailed(calls, [], error);
      return;
    }
    for (let index = 0; index < calls.length; index++) {
      const kind = outcomes[1 + index * 2];
      const call = calls[index]!;
      if (kind === outcomePending) {
        this.#batched.set(call.id, call);
        continue;
      }
      if (call.state.onProgress !== undefined) this.#batched.delete(call.id);
      const value = outcomes[2 + index * 2];
      this.#answer(call, kind === outcomeFulfilled, kind === outcomeFulfilled ? value : deserializeThrown(value));
    }
    if (this.#batched.size > 0) this.#poll();
  }

  #batchFailed(calls: WorkerCall[], flat: unknown[], error: unknown): void {
    if (this.state === 'gone') return;
    // An input that cannot be cloned fails the whole message before anything is sent:
    // send the calls one by one, so that only that call fails.
    const resend = (error as { name?: unknown } | null)?.name === 'DataCloneError' && flat.length === calls.length * 3;
    for (let index = 0; index < calls.length; index++) {
      const call = calls[index]!;
      this.#batched.delete(call.id);
      if (resend && call.state.phase === 'running') {
        call.state.input = flat[index * 3 + 2];
        this.#sendAlone(call);
      } else {
        this.#answer(call, false, error);
      }
    }
  }

  // Keeps one takeResults request open while batched calls may still finish asynchronously.
  #poll(): void {
    if (this.#polling || this.state !== 'ready') return;
    this.#polling = true;
    const id = this.#nextRequestId--;
    this.#replies.set(id, (_ok, outcomes) => {
      this.#polling = false;
      if (this.state === 'gone' || !Array.isArray(outcomes) || outcomes[0] !== asyncMarker) return;
      for (let index = 1; index + 2 < outcomes.length; index += 3) {
        const call = this.#batched.get(outcomes[index] as number);
        if (call === undefined) continue;
        this.#batched.delete(call.id);
        const fulfilled = outcomes[index + 1] === outcomeFulfilled;
        this.#answer(call, fulfilled, fulfilled ? outcomes[index + 2] : deserializeThrown(outcomes[index + 2]));
      }
      if (this.#batched.size > 0) this.#poll();
    });
    this.#post(comlinkApply(id, 'takeResults', []));
  }
}

function noop(): void {}

function needsSorting(call: WorkerCall): boolean {
  const state = call.state;
  return state.phase !== 'running' || state.stream !== undefined;
}
