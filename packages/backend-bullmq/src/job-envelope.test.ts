import { ComputeError } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { decodeJobFailure, encodeJobFailure, isBullmqJobData, isBullmqJobResult } from './job-envelope.js';

describe('the job envelope', () => {
  it('carries a ComputeError with its code and cause through a failedReason string', () => {
    const original = new ComputeError({
      code: 'TASK_FAILED',
      message: "Task 'resize' failed: bad header",
      taskName: 'resize',
      backend: 'local',
      cause: Object.assign(new RangeError('bad header'), { code: 'E_HEADER' }),
    });
    const reason = encodeJobFailure(original);
    expect(typeof reason).toBe('string');
    const copy = decodeJobFailure(reason, 'resize', 'bullmq');
    expect(copy).toMatchObject({ code: 'TASK_FAILED', message: original.message, taskName: 'resize', backend: 'bullmq' });
    expect(copy.cause).toMatchObject({ name: 'RangeError', message: 'bad header', code: 'E_HEADER' });
  });

  it('reads a reason that is not an envelope as TASK_FAILED with that reason', () => {
    for (const reason of ['{not json', '{"name":"Other","code":"TASK_FAILED","message":"x"}']) {
      const error = decodeJobFailure(reason, 'resize', 'bullmq');
      expect(error.code).toBe('TASK_FAILED');
      expect(error.message).toBe(`Task 'resize' failed: ${reason}`);
    }
    expect(decodeJobFailure(undefined, 'resize', 'bullmq').message).toContain('without a reason');
    const stalled = decodeJobFailure('job stalled more than allowable limit', 'resize', 'bullmq');
    expect(stalled.code).toBe('TASK_FAILED');
    expect(stalled.message).toMatch(/^Task 'resize' failed: job stalled more than allowable limit: .*maxStalledCount.*lockDuration/);
  });

  it('keeps a PROTOCOL_ERROR that was sent as one', () => {
    const reason = encodeJobFailure(new ComputeError({ code: 'PROTOCOL_ERROR', message: 'not a job' }));
    expect(decodeJobFailure(reason, 'resize', 'bullmq').code).toBe('PROTOCOL_ERROR');
  });

  it('recognises job data by its numeric deadline', () => {
    expect(isBullmqJobData({ input: undefined, deadline: 1 })).toBe(true);
    // An undefined input does not survive JSON: the job arrives without one.
    expect(isBullmqJobData(JSON.parse(JSON.stringify({ input: undefined, deadline: 1 })))).toBe(true);
    expect(isBullmqJobData({ input: 1 })).toBe(false);
    expect(isBullmqJobData({ input: 1, deadline: '1' })).toBe(false);
    expect(isBullmqJobData(null)).toBe(false);
  });

  it('recognises a result envelope: an object whose only key is result', () => {
    expect(isBullmqJobResult({ result: 42 })).toBe(true);
    // A task that returned undefined: JSON drops the key.
    expect(isBullmqJobResult({})).toBe(true);
    expect(isBullmqJobResult({ result: 1, extra: true })).toBe(false);
    expect(isBullmqJobResult({ answer: 42 })).toBe(false);
    expect(isBullmqJobResult([1, 2])).toBe(false);
    expect(isBullmqJobResult(42)).toBe(false);
    expect(isBullmqJobResult(null)).toBe(false);
  });
});
