import { expect, it } from 'vitest';
import { codeOf } from './rejection-of.js';
import type { SuiteContext } from './suite-context.js';

export function describeAbort({ backend }: SuiteContext): void {
  it('rejects with TASK_ABORTED when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(codeOf(backend().runTask('double', 1, { signal: controller.signal }))).resolves.toBe('TASK_ABORTED');
  });

  it('rejects a call in flight with TASK_ABORTED when its signal aborts', async () => {
    const controller = new AbortController();
    const startedAt = Date.now();
    const call = backend().runTask('slow', { ms: 30_000 }, { signal: controller.signal });
    queueMicrotask(() => controller.abort(new Error('user gave up')));
    await expect(codeOf(call)).resolves.toBe('TASK_ABORTED');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('rejects with TASK_TIMEOUT when a timeout signal fires', async () => {
    const startedAt = Date.now();
    const call = backend().runTask('slow', { ms: 30_000 }, { signal: AbortSignal.timeout(50) });
    await expect(codeOf(call)).resolves.toBe('TASK_TIMEOUT');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('settles at the deadline even when the task ignores its signal', async () => {
    const startedAt = Date.now();
    const call = backend().runTask('delayedEcho', { value: 'late', ms: 20_000 }, { signal: AbortSignal.timeout(50) });
    await expect(codeOf(call)).resolves.toBe('TASK_TIMEOUT');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('runs normally with a signal that never aborts', async () => {
    const controller = new AbortController();
    await expect(backend().runTask('double', 8, { signal: controller.signal })).resolves.toBe(16);
  });

  it('serves the next call after an aborted one', async () => {
    const controller = new AbortController();
    const call = backend().runTask('slow', { ms: 30_000 }, { signal: controller.signal });
    controller.abort();
    await expect(codeOf(call)).resolves.toBe('TASK_ABORTED');
    await expect(backend().runTask('double', 3)).resolves.toBe(6);
  });
}
