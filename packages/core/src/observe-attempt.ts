import { abortErrorFrom } from './abort-error-from.js';
import type { HybridComputeOptions, TaskSettledEvent, TaskStartEvent } from './hybrid-compute-types.js';

/**
 * Runs one attempt of a routed call with the router's hooks around it:
 * `onTaskStart` before, and `onTaskSettled` exactly once, when the backend
 * settles or when the call's signal ends the attempt first. A hook that
 * throws never changes the call's outcome.
 *
 * @internal Used by the router; not part of the public API.
 */
export function observeAttempt(
  hooks: Pick<HybridComputeOptions, 'onTaskStart' | 'onTaskSettled'>,
  event: TaskStartEvent,
  signal: AbortSignal | undefined,
  start: () => Promise<unknown>,
): Promise<unknown> {
  callHook(hooks.onTaskStart, event);
  const onTaskSettled = hooks.onTaskSettled;
  const startedAt = performance.now();
  const attempt = start();
  if (onTaskSettled === undefined) return attempt;
  let reported = false;
  const report = (outcome: 'fulfilled' | 'rejected', error?: unknown): void => {
    if (reported) return;
    reported = true;
    signal?.removeEventListener('abort', onAbort);
    const durationMs = performance.now() - startedAt;
    // Spelled out, not spread: on Node 20 a spread that adds a fractional number costs about a microsecond.
    const settled: TaskSettledEvent = { taskName: event.taskName, backend: event.backend, callId: event.callId, reason: event.reason, durationMs, outcome };
    if (outcome === 'rejected') settled.error = error;
    callHook(onTaskSettled, settled);
  };
  const onAbort = (): void => report('rejected', abortErrorFrom(signal?.reason, event.taskName, event.backend));
  signal?.addEventListener('abort', onAbort, { once: true });
  // onTaskStart, or the backend itself, may have aborted the signal before the listener was there.
  if (signal?.aborted === true) onAbort();
  attempt.then(
    () => report('fulfilled'),
    (error: unknown) => report('rejected', error),
  );
  return attempt;
}

function callHook<Event>(hook: ((event: Event) => void) | undefined, event: Event): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // Documented: hooks observe calls and never change their outcome.
  }
}
