import { CallsInFlight, ComputeError, noCallOptions } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { encodeJobFailure } from './job-envelope.js';
import { JobWaiters, type JobCall, type WaitingCall } from './job-waiters.js';

function table(): { calls: CallsInFlight<JobCall>; waiters: JobWaiters; wait: (taskName: string, jobId: string) => WaitingCall } {
  const calls = new CallsInFlight<JobCall>({ backend: 'bullmq' });
  const waiters = new JobWaiters('bullmq', 'compute');
  const wait = (taskName: string, jobId: string): WaitingCall => {
    const call = calls.open<unknown>(taskName, noCallOptions, { jobId, accepted: false, missing: false, since: Date.now() });
    waiters.add(call);
    return call;
  };
  return { calls, waiters, wait };
}

describe('JobWaiters', () => {
  it('resolves every call that shares a completed job with its result, and no other', async () => {
    const { calls, waiters, wait } = table();
    const first = wait('charge', 'idem/charge/k');
    const second = wait('charge', 'idem/charge/k');
    const other = wait('charge', 'another');
    waiters.completed('idem/charge/k', { result: { charged: 5 } });
    await expect(first.promise).resolves.toEqual({ charged: 5 });
    await expect(second.promise).resolves.toEqual({ charged: 5 });
    expect(other.settled).toBe(false);
    expect(waiters.has('idem/charge/k')).toBe(false);
    expect(calls.counts.completed).toBe(2);
  });

  it('rejects the calls of a job whose result is not an envelope with PROTOCOL_ERROR naming the queue', async () => {
    const { waiters, wait } = table();
    const call = wait('answer', 'job-1');
    waiters.completed('job-1', 42);
    await expect(call.promise).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', taskName: 'answer', backend: 'bullmq', message: expect.stringContaining("queue 'compute'") });
  });

  it('rejects the calls of a failed job with the error in its failed reason, named for this backend', async () => {
    const { calls, waiters, wait } = table();
    const call = wait('resize', 'job-1');
    waiters.failed('job-1', encodeJobFailure(new ComputeError({ code: 'TASK_FAILED', message: "Task 'resize' failed: bad header", backend: 'local' })));
    await expect(call.promise).rejects.toMatchObject({ code: 'TASK_FAILED', taskName: 'resize', backend: 'bullmq', message: "Task 'resize' failed: bad header" });
    expect(calls.counts.failed).toBe(1);
  });

  it('rejects the calls of a removed job with TASK_ABORTED, and of an unreadable event with PROTOCOL_ERROR', async () => {
    const { calls, waiters, wait } = table();
    const removed = wait('double', 'job-1');
    const unreadable = wait('double', 'job-2');
    waiters.removed('job-1');
    waiters.unreadable('job-2', new SyntaxError('Unexpected token'));
    await expect(removed.promise).rejects.toMatchObject({ code: 'TASK_ABORTED', message: expect.stringContaining('removed') });
    await expect(unreadable.promise).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('Unexpected token') });
    expect(calls.counts.aborted).toBe(1);
    // An event about a job nobody waits for, or without a job id, changes nothing.
    waiters.unreadable(undefined, new Error('no id'));
    waiters.completed('nobody', { result: 1 });
    expect(waiters.jobs).toBe(0);
  });

  it('says when the last call of a job stops waiting, so the job can be taken back', () => {
    const { waiters, wait } = table();
    const first = wait('double', 'job');
    const second = wait('double', 'job');
    expect(waiters.get('job')).toEqual([first, second]);
    expect(waiters.remove(first)).toBe(false);
    expect(waiters.has('job')).toBe(true);
    expect(waiters.remove(second)).toBe(true);
    expect(waiters.has('job')).toBe(false);
    expect(waiters.remove(second)).toBe(true);
  });

  it('lists the jobs in the order their first call came, and forgets them all on clear', () => {
    const { waiters, wait } = table();
    wait('a', 'job-1');
    wait('b', 'job-2');
    wait('a', 'job-1');
    expect([...waiters.entries()].map(([jobId, waiting]) => [jobId, waiting.length])).toEqual([
      ['job-1', 2],
      ['job-2', 1],
    ]);
    waiters.clear();
    expect(waiters.jobs).toBe(0);
  });
});
