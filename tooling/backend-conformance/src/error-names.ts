import { ComputeError } from '@hybridcompute/core';
import { expect, it } from 'vitest';
import { computeRejectionOf } from './rejection-of.js';
import type { SuiteContext } from './suite-context.js';

export function describeErrorNames({ backend, options, capabilities }: SuiteContext): void {
  const expectNames = (error: ComputeError, taskName: string): void => {
    expect(error.taskName).toBe(taskName);
    if (options.backendName !== undefined) expect(error.backend).toBe(options.backendName);
    else expect(typeof error.backend === 'string' && error.backend.length > 0, `backend: ${String(error.backend)}`).toBe(true);
    // And the names survive the trip every error takes across a boundary.
    const copy = ComputeError.fromJSON(JSON.parse(JSON.stringify(error)));
    expect(copy.taskName).toBe(error.taskName);
    expect(copy.backend).toBe(error.backend);
  };

  it('names the task and the backend when a task fails', async () => {
    expectNames(await computeRejectionOf(() => backend().runTask('fail', { message: 'no', code: 'E_NO' })), 'fail');
  });

  if (options.unknownTaskCode !== 'NO_BACKEND') {
    it('names the task and the backend when a task is unknown', async () => {
      expectNames(await computeRejectionOf(() => backend().runTask('no-such-task', 1)), 'no-such-task');
    });
  }

  if (capabilities.abort) {
    it('honours { timeout }: TASK_TIMEOUT naming the task and the backend', async () => {
      const startedAt = Date.now();
      const error = await computeRejectionOf(() => backend().runTask('slow', { ms: 30_000 }, { timeout: 50 }));
      expect(error.code).toBe('TASK_TIMEOUT');
      expectNames(error, 'slow');
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    });

    it('names the task and the backend in TASK_ABORTED', async () => {
      const controller = new AbortController();
      const call = backend().runTask('slow', { ms: 30_000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user gave up')), 20);
      const error = await computeRejectionOf(call);
      expect(error.code).toBe('TASK_ABORTED');
      expectNames(error, 'slow');
    });

    it('names the task and the backend when the signal aborted before the call', async () => {
      const error = await computeRejectionOf(() => backend().runTask('double', 1, { signal: AbortSignal.abort() }));
      expect(error.code).toBe('TASK_ABORTED');
      expectNames(error, 'double');
    });
  }
}
