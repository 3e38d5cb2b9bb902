import { ComputeError } from '@hybridcompute/core';
import { expect } from 'vitest';

/**
 * Calls `start` and returns the error its promise rejects with. Fails the
 * test if `start` throws synchronously (the contract says `runTask` never
 * does) or if the promise fulfils.
 *
 * @example
 * ```ts
 * const error = await rejectionOf(() => backend.runTask('fail', { message: 'no', code: 'E_NO' }));
 * expect(error).toMatchObject({ code: 'TASK_FAILED' });
 * ```
 */
export async function rejectionOf(start: Promise<unknown> | (() => Promise<unknown>)): Promise<Error & { code?: string }> {
  let call: Promise<unknown>;
  if (typeof start === 'function') {
    try {
      call = start();
    } catch (error) {
      throw new Error(`runTask threw synchronously instead of rejecting: ${String(error)}`, { cause: error });
    }
  } else {
    call = start;
  }
  const outcome = await call.then(
    (value) => ({ settled: 'fulfilled' as const, value }),
    (error: unknown) => ({ settled: 'rejected' as const, error }),
  );
  if (outcome.settled === 'fulfilled') throw new Error(`expected a rejection, got ${safeJson(outcome.value)}`);
  expect(outcome.error, `not an Error: ${String(outcome.error)}`).toBeInstanceOf(Error);
  return outcome.error as Error & { code?: string };
}

/**
 * Like {@link rejectionOf}, and also checks that the rejection is a
 * `ComputeError` (by its marker, so a copy from another core passes too).
 *
 * @example
 * ```ts
 * const error = await computeRejectionOf(backend.runTask('no-such-task', 1));
 * expect(error.code).toBe('TASK_NOT_FOUND');
 * ```
 */
export async function computeRejectionOf(start: Promise<unknown> | (() => Promise<unknown>)): Promise<ComputeError> {
  const error = await rejectionOf(start);
  expect(ComputeError.isInstance(error), `not a ComputeError: ${String(error)}`).toBe(true);
  return error as ComputeError;
}

/**
 * The code a call settles with: `'fulfilled'`, the `ComputeError`'s code, or
 * a description of anything else it rejected with.
 *
 * @example
 * ```ts
 * await expect(codeOf(backend.runTask('slow', { ms: 30_000 }, { timeout: 50 }))).resolves.toBe('TASK_TIMEOUT');
 * ```
 */
export async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    return ComputeError.isInstance(error) ? error.code : `not a ComputeError: ${String(error)}`;
  }
  return 'fulfilled';
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
