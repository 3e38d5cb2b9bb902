import { describe, expect, it } from 'vitest';
import { PendingCancels } from './pending-cancels.js';

describe('PendingCancels', () => {
  it('hands a cancel to the job it names when that job starts, once', () => {
    const cancels = new PendingCancels(60_000);
    cancels.remember('job-1', 'TASK_ABORTED', 1_000, 1_001);
    expect(cancels.take('job-1', 900, 1_002)).toMatchObject({ code: 'TASK_ABORTED', sentAt: 1_000 });
    expect(cancels.take('job-1', 900, 1_003)).toBeUndefined();
    expect(cancels.size).toBe(0);
  });

  it('ignores a cancel sent before the job was created: it was for an earlier job under the same id', () => {
    const cancels = new PendingCancels(60_000);
    cancels.remember('idem/double/k', 'TASK_ABORTED', 1_000, 1_001);
    expect(cancels.take('idem/double/k', 1_500, 1_600)).toBeUndefined();
    expect(cancels.size).toBe(0);
  });

  it('forgets cancels older than it keeps them, oldest first', () => {
    const cancels = new PendingCancels(100);
    cancels.remember('old', 'TASK_TIMEOUT', 0, 0);
    cancels.remember('newer', 'TASK_TIMEOUT', 50, 50);
    cancels.remember('newest', 'TASK_ABORTED', 120, 120);
    expect(cancels.size).toBe(2);
    expect(cancels.take('old', -1, 120)).toBeUndefined();
    expect(cancels.take('newer', -1, 149)).toMatchObject({ code: 'TASK_TIMEOUT' });
    // Past its time, even if nothing new came in to sweep it.
    expect(cancels.take('newest', -1, 220)).toBeUndefined();
  });

  it('keeps the latest cancel for a job heard twice', () => {
    const cancels = new PendingCancels(60_000);
    cancels.remember('job', 'TASK_TIMEOUT', 10, 11);
    cancels.remember('job', 'TASK_ABORTED', 20, 21);
    expect(cancels.size).toBe(1);
    expect(cancels.take('job', 0, 22)).toMatchObject({ code: 'TASK_ABORTED', sentAt: 20 });
  });
});
