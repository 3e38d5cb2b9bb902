import { CallsInFlight, ComputeError, noCallOptions } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { WorkerCallState, type WorkerCall } from './worker-call.js';
import { WorkerStream, type WorkerStreamControl } from './worker-stream.js';

function streamOfCall(highWaterMark: number): { stream: WorkerStream; call: WorkerCall; grants: number[]; stops: string[] } {
  const grants: number[] = [];
  const stops: string[] = [];
  const control: WorkerStreamControl = {
    grant: (_call, credit) => grants.push(credit),
    stop: (call, error) => {
      stops.push(error.code);
      call.reject(error);
    },
  };
  const stream = new WorkerStream(highWaterMark, control);
  const call = new CallsInFlight<WorkerCallState>({ backend: 'worker' }).open('tiles', noCallOptions, new WorkerCallState(undefined, undefined, stream));
  stream.follow(call);
  return { stream, call, grants, stops };
}

describe('WorkerStream', () => {
  it('grants credit back in batches of half the mark, as chunks are read', async () => {
    const { stream, grants } = streamOfCall(8);
    for (let index = 1; index <= 8; index++) stream.push(index);
    for (let index = 1; index <= 8; index++) await expect(stream.next()).resolves.toEqual({ done: false, value: index });
    expect(grants).toEqual([4, 4]);
  });

  it('settles reads made without awaiting: chunks to the first, the end to the rest', async () => {
    const { stream, call } = streamOfCall(4);
    const reads = [stream.next(), stream.next(), stream.next()];
    stream.push('a');
    call.resolve(undefined);
    await expect(Promise.all(reads)).resolves.toEqual([
      { done: false, value: 'a' },
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it('hands over the chunks before a failure, then the failure once', async () => {
    const { stream, call } = streamOfCall(4);
    stream.push(1);
    stream.push(2);
    const failure = new ComputeError({ code: 'TASK_FAILED', message: 'broke' });
    call.reject(failure);
    await expect(stream.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(stream.next()).resolves.toEqual({ done: false, value: 2 });
    await expect(stream.next()).rejects.toBe(failure);
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('drops the chunks not read when the deadline passes, and ends at once', async () => {
    const { stream } = streamOfCall(4);
    stream.push(1);
    const timeout = new ComputeError({ code: 'TASK_TIMEOUT', message: 'late' });
    stream.expire(timeout);
    await expect(stream.next()).rejects.toBe(timeout);
  });

  it('stops the call once when the loop leaves, and ignores chunks after', async () => {
    const { stream, stops } = streamOfCall(4);
    const pending = stream.next();
    await stream.return();
    await stream.return();
    stream.push('late');
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
    expect(stops).toEqual(['TASK_ABORTED']);
  });
});
