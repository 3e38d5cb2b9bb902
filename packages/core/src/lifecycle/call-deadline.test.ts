import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComputeError } from '../compute-error.js';
import { CallDeadline } from './call-deadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('CallDeadline', () => {
  it('expires with TASK_TIMEOUT naming the task and the backend, once, and aborts its signal with that error', () => {
    vi.useFakeTimers();
    const expired: ComputeError[] = [];
    const deadline = new CallDeadline('render', 'worker', { signal: undefined, timeout: 100 }, (error) => expired.push(error));
    const signal = deadline.signal;
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'render', backend: 'worker' });
    expect(expired[0]?.message).toBe("Task 'render' timed out after 100 ms on backend 'worker'");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(expired[0]);
    vi.advanceTimersByTime(1_000);
    expect(expired).toHaveLength(1);
  });

  it('expires with TASK_ABORTED when the caller aborts, keeping the reason as cause', () => {
    const controller = new AbortController();
    const expired: ComputeError[] = [];
    const deadline = new CallDeadline('render', 'remote', { signal: controller.signal, timeout: undefined }, (error) => expired.push(error));
    controller.abort(new Error('user left'));
    expect(expired[0]).toMatchObject({ code: 'TASK_ABORTED', taskName: 'render', backend: 'remote' });
    expect((expired[0]?.cause as Error).message).toBe('user left');
    expect(deadline.expired).toBe(expired[0]);
  });

  it('is expired from the start when the signal has already aborted', () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const deadline = new CallDeadline('t', 'local', { signal: controller.signal, timeout: 50 }, () => calls++);
    expect(calls).toBe(1);
    expect(deadline.expired?.code).toBe('TASK_ABORTED');
    expect(deadline.signal.aborted).toBe(true);
  });

  it('hands out the caller’s own signal when there is no timeout', () => {
    const controller = new AbortController();
    const deadline = new CallDeadline('t', 'local', { signal: controller.signal, timeout: undefined }, () => {});
    expect(deadline.signal).toBe(controller.signal);
  });

  it('names the backend set last, as the router sets it per attempt', () => {
    vi.useFakeTimers();
    let error: ComputeError | undefined;
    const deadline = new CallDeadline('t', undefined, { signal: undefined, timeout: 10 }, (expired) => (error = expired));
    deadline.backend = 'remote';
    vi.advanceTimersByTime(10);
    expect(error?.backend).toBe('remote');
  });

  it('release() clears the timer and the listener, so nothing fires later', () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let calls = 0;
    const deadline = new CallDeadline('t', 'local', { signal: controller.signal, timeout: 10 }, () => calls++);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    deadline.release();
    deadline.release();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    controller.abort();
    vi.advanceTimersByTime(100);
    expect(calls).toBe(0);
  });

  it('starts a deferred timer only when asked', () => {
    vi.useFakeTimers();
    let calls = 0;
    const deadline = new CallDeadline('t', 'worker', { signal: undefined, timeout: 10 }, () => calls++, false);
    vi.advanceTimersByTime(100);
    expect(calls).toBe(0);
    deadline.startTimer();
    deadline.startTimer();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10);
    expect(calls).toBe(1);
  });
});
