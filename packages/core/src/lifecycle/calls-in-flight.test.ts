import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComputeError } from '../compute-error.js';
import { backendClosedError } from './backend-unavailable-error.js';
import { CallsInFlight } from './calls-in-flight.js';
import { noCallOptions } from './read-run-options.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('CallsInFlight', () => {
  it('settles each call once, with the first outcome, and forgets it', async () => {
    const calls = new CallsInFlight({ backend: 'remote' });
    const call = calls.open<number>('double', noCallOptions, undefined);
    expect(calls.size).toBe(1);
    expect(calls.get(call.id)).toBe(call);
    expect(call.resolve(42)).toBe(true);
    expect(call.reject(new Error('late'))).toBe(false);
    expect(call.resolve(43)).toBe(false);
    await expect(call.promise).resolves.toBe(42);
    expect(calls.size).toBe(0);
    expect(calls.get(call.id)).toBeUndefined();
  });

  it('gives each call its own id', () => {
    const calls = new CallsInFlight({ backend: 'remote' });
    const ids = new Set(Array.from({ length: 100 }, () => calls.open('t', noCallOptions, undefined).id));
    expect(ids.size).toBe(100);
  });

  it('fills the task and backend into a ComputeError that names neither', async () => {
    const calls = new CallsInFlight({ backend: 'worker' });
    const call = calls.open('resize', noCallOptions, undefined);
    call.reject(new ComputeError({ code: 'PROTOCOL_ERROR', message: 'garbled' }));
    await expect(call.promise).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', taskName: 'resize', backend: 'worker' });
  });

  it('rejects at the timeout, then tells the backend to stop the work', async () => {
    vi.useFakeTimers();
    const stopped: number[] = [];
    const calls = new CallsInFlight<string>({ backend: 'worker', onExpire: (call) => stopped.push(call.id) });
    const call = calls.open('slow', { signal: undefined, timeout: 20 }, 'state');
    const outcome = call.promise.catch((error: unknown) => error);
    vi.advanceTimersByTime(20);
    await expect(outcome).resolves.toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'slow', backend: 'worker' });
    expect(stopped).toEqual([call.id]);
    expect(call.state).toBe('state');
    expect(calls.size).toBe(0);
  });

  it('comes back settled, and tells nobody to stop anything, when the signal has already aborted', async () => {
    const stopped: number[] = [];
    const calls = new CallsInFlight({ backend: 'local', onExpire: (call) => stopped.push(call.id) });
    const controller = new AbortController();
    controller.abort();
    const call = calls.open('t', { signal: controller.signal, timeout: undefined }, undefined);
    expect(call.settled).toBe(true);
    await expect(call.promise).rejects.toMatchObject({ code: 'TASK_ABORTED', backend: 'local' });
    expect(calls.size).toBe(0);
    expect(stopped).toEqual([]);
  });

  it('releases the caller’s listener when a call settles', () => {
    const calls = new CallsInFlight({ backend: 'local' });
    const controller = new AbortController();
    const call = calls.open('t', { signal: controller.signal, timeout: 1_000 }, undefined);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    call.resolve(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejectAll settles every open call, with an error per call', async () => {
    const calls = new CallsInFlight({ backend: 'worker' });
    const first = calls.open('a', noCallOptions, undefined);
    const second = calls.open('b', noCallOptions, undefined);
    calls.rejectAll((call: { taskName: string }) => backendClosedError('worker', call.taskName));
    await expect(first.promise).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'a' });
    await expect(second.promise).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'b' });
    expect(calls.size).toBe(0);
  });

  it('counts timeouts and aborts apart from failures', async () => {
    const calls = new CallsInFlight({ backend: 'worker' });
    const outcomes = [
      calls.open('a', noCallOptions, undefined),
      calls.open('b', noCallOptions, undefined),
      calls.open('c', noCallOptions, undefined),
      calls.open('d', noCallOptions, undefined),
    ];
    outcomes[0]?.resolve(1);
    outcomes[1]?.reject(new ComputeError({ code: 'TASK_FAILED' }));
    outcomes[2]?.reject(new ComputeError({ code: 'TASK_TIMEOUT' }));
    outcomes[3]?.reject(new ComputeError({ code: 'TASK_ABORTED' }));
    await Promise.allSettled(outcomes.map((call) => call.promise));
    expect(calls.counts).toEqual({ completed: 1, failed: 1, timedOut: 1, aborted: 1 });
  });

  it('swallows an onExpire that throws: the call has settled already', async () => {
    vi.useFakeTimers();
    const calls = new CallsInFlight({
      backend: 'worker',
      onExpire: () => {
        throw new Error('cancel failed');
      },
    });
    const call = calls.open('t', { signal: undefined, timeout: 1 }, undefined);
    const outcome = call.promise.catch((error: unknown) => error);
    vi.advanceTimersByTime(1);
    await expect(outcome).resolves.toMatchObject({ code: 'TASK_TIMEOUT' });
  });
});
