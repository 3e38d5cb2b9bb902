// The Atomics idle path, both ends of it, in one place (option `atomics`).
// piscina's trick: an idle worker blocks on Atomics.wait and reads the next
// message itself, which wakes it sooner than a message event through its
// event loop. The worker offers an Int32Array in its handshake; the pool, if
// it wants the wake, answers `{ [wakeMessageKey]: true }` and from then on
// bumps and notifies the array after every message it posts
// (`wakeIdleWorker`). Only the Node worker entry (src/node/worker.ts) builds
// an `IdleWait`, since it needs `receiveMessageOnPort`; other runtimes serve
// their workers without one and the pool then never wakes them.
import type { Endpoint } from 'comlink';
import { wakeMessageKey } from './worker-protocol.js';

/**
 * How an idle worker sleeps until the pool's next message, instead of going
 * back to its event loop. Internal.
 */
export interface IdleWait {
  /** Shared with the pool in the handshake; the pool bumps and notifies it after each message. */
  readonly wake: Int32Array;
  /** Runs `callback` once the current turn is over, letting the event loop turn now and then. */
  later(callback: () => void): void;
  /**
   * Blocks until the pool's next message, then dispatches every message waiting
   * to the endpoint's listeners. Returns false when there was none (a stale wake).
   */
  receive(): boolean;
}

/** What {@link atomicsIdleWait} needs of the runtime. */
export interface IdleWaitRuntime {
  /** Takes the next message off the worker's port without its event loop (Node: `receiveMessageOnPort`). */
  receiveMessage(): { message: unknown } | undefined;
  /** Hands a message read that way to the endpoint's listeners. */
  dispatch(message: unknown): void;
  /** Whether console output is still on its way to the main thread (it goes asynchronously). */
  outputPending(): boolean;
  /** Runs `callback` after a turn of the event loop (Node: `setImmediate`). */
  nextTurn(callback: () => void): void;
  /**
   * Whether the event loop may take a message off the port before
   * `receiveMessage` sees it (a private channel on Deno): then a wake that
   * reads nothing lets the event loop turn and deliver it, and sleeps again.
   */
  eventLoopMayHoldMessages?: boolean | undefined;
}

const turnsWithoutEventLoop = 32;

/** Worker side: an {@link IdleWait} on a fresh shared `Int32Array`. */
export function atomicsIdleWait(runtime: IdleWaitRuntime): IdleWait {
  const wake = new Int32Array(new SharedArrayBuffer(4));
  let seen = 0;
  let turns = 0;
  let firstSleep = true;
  let sleepAgain: (() => void) | undefined;
  return {
    wake,
    later(callback) {
      sleepAgain = callback;
      if (firstSleep) {
        // Deno reports an error the worker file throws after exposeTasks only once its event loop
        // has run a timer: a worker asleep before that would never die.
        firstSleep = false;
        setTimeout(callback, 0);
      } else if (runtime.outputPending()) {
        // Let the console output out first.
        turns = 0;
        runtime.nextTurn(callback);
      } else if (++turns < turnsWithoutEventLoop) {
        // Sleeping in this microtask checkpoint is the fast path...
        queueMicrotask(callback);
      } else {
        // ...but now and then the event loop must turn (timers, other ports).
        turns = 0;
        runtime.nextTurn(callback);
      }
    },
    receive() {
      Atomics.wait(wake, 0, seen);
      // Read the count before the port, so that a message posted meanwhile is not missed.
      seen = Atomics.load(wake, 0);
      let received = false;
      for (let entry = runtime.receiveMessage(); entry !== undefined; entry = runtime.receiveMessage()) {
        received = true;
        runtime.dispatch(entry.message);
      }
      if (!received && runtime.eventLoopMayHoldMessages === true && sleepAgain !== undefined) {
        // Woken with nothing to read: let the event loop deliver what it holds, then sleep again.
        runtime.nextTurn(sleepAgain);
        return true;
      }
      return received;
    },
  };
}

/**
 * Worker side: sleeps on `idleWait` whenever the worker runs nothing and owes
 * no answer, once the pool has asked for it. Returns what to call after each
 * answer the worker posts.
 *
 * @param busy - whether a task is running or an outcome waits to be sent.
 * @param parked - comlink requests the worker holds on purpose (a parked `takeResults`): owed, not pending.
 */
export function sleepWhenIdle(endpoint: Endpoint, idleWait: IdleWait, busy: () => boolean, parked: () => number): () => void {
  let enabled = false;
  let scheduled = false;
  // comlink requests not answered yet: an answer may still be on its way through comlink's promise chain.
  let owed = 0;
  const idle = (): boolean => !busy() && owed === parked();
  const sleep = (): void => {
    scheduled = false;
    while (enabled && idle()) {
      // Something arrived: return, so that its answer (posted in a microtask) goes out.
      if (idleWait.receive()) return;
    }
  };
  const sleepSoon = (): void => {
    if (!enabled || scheduled) return;
    scheduled = true;
    idleWait.later(sleep);
  };
  endpoint.addEventListener('message', ((event: MessageEvent) => {
    const data = event.data as Record<string, unknown> | null;
    if (typeof data !== 'object' || data === null) return;
    if (data['id'] !== undefined && typeof data['type'] === 'string') owed++;
    if (typeof data[wakeMessageKey] !== 'boolean') return;
    enabled = data[wakeMessageKey] === true;
    sleepSoon();
  }) as EventListener);
  return () => {
    owed--;
    sleepSoon();
  };
}

/** Worker side: what the handshake carries to offer the pool the wake array (nothing without an idle wait). */
export function wakeOffer(idleWait: IdleWait | undefined): { [wakeMessageKey]?: Int32Array } {
  return idleWait === undefined ? {} : { [wakeMessageKey]: idleWait.wake };
}

/** Pool side: the wake array a worker's handshake offers, if any (to take it, post {@link wakeRequest}). */
export function offeredWake(handshake: object): Int32Array | undefined {
  const wake = (handshake as Record<string, unknown>)[wakeMessageKey];
  return wake instanceof Int32Array ? wake : undefined;
}

/** Pool side: the message that tells a worker to sleep on its wake array when idle. */
export const wakeRequest = { [wakeMessageKey]: true } as const;

/** Pool side: after each message posted to a worker that sleeps when idle. */
export function wakeIdleWorker(wake: Int32Array): void {
  Atomics.add(wake, 0, 1);
  Atomics.notify(wake, 0, 1);
}
