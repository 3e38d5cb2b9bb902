import { describe, expect, it } from 'vitest';
import { cancelChannelOf, parseCancelMessage } from './cancel-channel.js';

describe('the cancel channel', () => {
  it('is named after the prefix and the queue', () => {
    expect(cancelChannelOf('bull', 'compute')).toBe('bull:compute:hybridcompute:cancel');
  });

  it('reads only well-formed cancel requests', () => {
    expect(parseCancelMessage(JSON.stringify({ jobId: 'a1', code: 'TASK_TIMEOUT' }))).toEqual({ jobId: 'a1', code: 'TASK_TIMEOUT' });
    expect(parseCancelMessage(JSON.stringify({ jobId: 'a1', code: 'TASK_ABORTED', extra: 1 }))).toEqual({ jobId: 'a1', code: 'TASK_ABORTED' });
    expect(parseCancelMessage(JSON.stringify({ jobId: 'a1', code: 'TASK_ABORTED', sentAt: 5 }))).toEqual({ jobId: 'a1', code: 'TASK_ABORTED', sentAt: 5 });
    expect(parseCancelMessage(JSON.stringify({ jobId: 'a1', code: 'TASK_ABORTED', sentAt: 'soon' }))).toEqual({ jobId: 'a1', code: 'TASK_ABORTED' });
    for (const message of ['not json', 'null', '"a1"', JSON.stringify({ jobId: 1, code: 'TASK_ABORTED' }), JSON.stringify({ jobId: 'a1', code: 'TASK_FAILED' })]) {
      expect(parseCancelMessage(message), message).toBeUndefined();
    }
  });
});
