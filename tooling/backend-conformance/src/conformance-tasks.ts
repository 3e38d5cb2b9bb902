import { defineTask } from '@hybridcompute/core';

/** Returns its input unchanged: proves values survive the backend's boundary. */
export const echo = defineTask('echo', (value: unknown) => value);

/** Doubles a number, synchronously. */
export const double = defineTask('double', (value: number) => {
  if (typeof value !== 'number') throw new TypeError(`double expects a number, got ${typeof value}`);
  return value * 2;
});

/** Doubles a number from an async function. */
export const asyncDouble = defineTask('asyncDouble', async (value: number) => value * 2);

/** Throws an error with the given message and custom `code`, as task code often does. */
export const fail = defineTask('fail', (input: { message: string; code: string }): never => {
  throw Object.assign(new RangeError(input.message), { code: input.code });
});

/** Rejects asynchronously with a custom `code`. */
export const asyncFail = defineTask('asyncFail', async (input: { message: string; code: string }): Promise<never> => {
  throw Object.assign(new Error(input.message), { code: input.code });
});

/** Waits `ms` and answers `'done'`, or stops as soon as its signal aborts. */
export const slow = defineTask(
  'slow',
  (input: { ms: number }, { signal }) =>
    new Promise<string>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve('done');
      }, input.ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
);

/** Answers `value` after `ms`, ignoring its signal: parallel calls finish out of order. */
export const delayedEcho = defineTask(
  'delayedEcho',
  (input: { value: unknown; ms: number }) =>
    new Promise<unknown>((resolve) => {
      setTimeout(resolve, input.ms, input.value);
    }),
);

/** Builds a string of `size` characters from `seed`, to move a large payload back. */
export const bigPayload = defineTask('bigPayload', (input: { size: number; seed: string }) => input.seed.repeat(Math.ceil(input.size / input.seed.length)).slice(0, input.size));

/** Sums a large array, to move a large payload in. */
export const sum = defineTask('sum', (values: number[]) => values.reduce((total, value) => total + value, 0));

/**
 * Reports 1 to `steps` through `context.progress`, then answers `'done'`; async when `async` is set,
 * awaiting each `context.progress` when `awaits` is set.
 */
export const reportProgress = defineTask('reportProgress', async (input: { steps: number; async?: boolean; awaits?: boolean }, { progress }) => {
  for (let step = 1; step <= input.steps; step++) {
    if (input.awaits === true) await progress({ step, of: input.steps });
    else void progress({ step, of: input.steps });
    if (input.async === true) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return 'done';
});

/** Streams 1 to `to`, then returns `'counted'`. */
export const countTo = defineTask('countTo', async function* (input: { to: number }) {
  for (let value = 1; value <= input.to; value++) yield value;
  return 'counted';
});

/** Streams 1 to `after`, then throws a RangeError with the given `code`. */
export const failAfter = defineTask('failAfter', async function* (input: { after: number; code: string }) {
  for (let value = 1; value <= input.after; value++) yield value;
  throw Object.assign(new RangeError(`failed after ${input.after} chunks`), { code: input.code });
});

/** What the streaming tasks of this thread or process have done, by stream id. */
const streams = new Map<string, { produced: number; closed: boolean; aborted: boolean }>();

/**
 * Streams numbers for ever, recording under `id` how many it produced,
 * whether its generator was closed (its `finally` ran) and whether its
 * signal aborted: what `streamProbe` reports. With `pad`, each chunk is the
 * number as a string padded to `pad` characters, so that a transport's
 * buffers fill in a few chunks.
 */
export const endless = defineTask('endless', async function* (input: { id: string; pad?: number }, { signal }) {
  const state = { produced: 0, closed: false, aborted: false };
  streams.set(input.id, state);
  signal.addEventListener('abort', () => (state.aborted = true), { once: true });
  try {
    for (;;) {
      state.produced++;
      yield input.pad === undefined ? state.produced : String(state.produced).padEnd(input.pad, '.');
    }
  } finally {
    state.closed = true;
  }
});

/** What the `endless` stream `id` has done, where these tasks run. */
export const streamProbe = defineTask('streamProbe', (input: { id: string }) => streams.get(input.id) ?? { produced: 0, closed: false, aborted: false });

/**
 * The fixture tasks every backend under test must serve. backend-local
 * registers them, a worker file exposes them, a test server serves them.
 */
export const conformanceTasks = {
  echo,
  double,
  asyncDouble,
  fail,
  asyncFail,
  slow,
  delayedEcho,
  bigPayload,
  sum,
  reportProgress,
  countTo,
  failAfter,
  endless,
  streamProbe,
} as const;
