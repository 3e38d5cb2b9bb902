import { abortErrorFrom } from './abort-error-from.js';

/**
 * Settles with `promise`, or rejects as soon as `signal` aborts, whichever
 * comes first, so a call honours its deadline even when the work behind it
 * ignores the signal. The abort listener is removed once the call settles.
 *
 * @example
 * ```ts
 * return settleOnAbort(Promise.resolve(task.run(input, { signal })), signal, task.name, 'local');
 * ```
 */
export function settleOnAbort<T>(promise: Promise<T>, signal: AbortSignal, taskName?: string, backend?: string): Promise<T> {
  if (signal.aborted) {
    // The work may still reject later; nobody waits for it any more.
    promise.then(undefined, ignoreRejection);
    return Promise.reject(abortErrorFrom(signal.reason, taskName, backend));
  }
  return new Promise<T>((resolve, reject) => {
    // The work's late rejection, if any, lands in the handler below and is dropped there.
    const onAbort = (): void => reject(abortErrorFrom(signal.reason, taskName, backend));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function ignoreRejection(): void {}
