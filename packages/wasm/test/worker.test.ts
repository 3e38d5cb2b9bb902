import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWasmTasksOn, failureOf } from './describe-wasm-tasks-on.js';
import { mathWasm } from './fixtures/wasm-tasks.mjs';

const workerUrl = new URL('./fixtures/wasm-worker.mjs', import.meta.url);

describeWasmTasksOn('backend-worker (Node worker_threads)', {
  createBackend: async () => {
    const worker = createWorkerBackend({ url: workerUrl, size: 1 });
    await worker.ready();
    return worker;
  },
  dispose: async (backend) => {
    await backend.close?.();
  },
  structuredValues: true,
});

describe('WebAssembly tasks on a Node worker pool', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hybridcompute-wasm-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('keeps the worker after traps: the same thread answers before and after', async () => {
    const worker = createWorkerBackend({ url: workerUrl, size: 1 });
    try {
      const before = await worker.runTask('whoAmI', undefined);
      for (const trap of ['crash', 'outOfBounds', 'recurse']) {
        expect((await failureOf(worker.runTask(trap, trap === 'recurse' ? 0 : undefined))).code).toBe('TASK_FAILED');
      }
      await expect(worker.runTask('add', [1, 2])).resolves.toBe(3);
      await expect(worker.runTask('whoAmI', undefined)).resolves.toBe(before);
      expect(worker.stats()).toMatchObject({ workers: 1 });
    } finally {
      await worker.close();
    }
  });

  it('stops an export that never returns by the timeout, which replaces the worker; the pool carries on', async () => {
    const worker = createWorkerBackend({ url: workerUrl, size: 1, abortGrace: 100 });
    try {
      const before = await worker.runTask('whoAmI', undefined);
      const runaway = await failureOf(worker.runTask('spin', undefined, { timeout: 300 }));
      expect(runaway.code).toBe('TASK_TIMEOUT');
      await expect(worker.runTask('add', [2, 2])).resolves.toBe(4);
      expect(await worker.runTask('whoAmI', undefined)).not.toBe(before);
    } finally {
      await worker.close();
    }
  });

  it('instantiates once per worker: each worker of a pool counts its own calls', async () => {
    const worker = createWorkerBackend({ url: workerUrl, size: 2 });
    try {
      await worker.ready();
      // Each worker's instance counts its own calls from 1 without gaps, whichever calls it got:
      // so 1 occurs once per worker that ran any, and no count occurs more often than a smaller one.
      const counts = await Promise.all(Array.from({ length: 40 }, () => worker.runTask<undefined, number>('count', undefined)));
      const occurrences = Array.from({ length: Math.max(...counts) }, (_, index) => counts.filter((count) => count === index + 1).length);
      expect(occurrences[0]).toBeGreaterThanOrEqual(1);
      expect(occurrences[0]).toBeLessThanOrEqual(2);
      expect(occurrences.every((times, index) => times >= 1 && times <= (occurrences[index - 1] ?? 2))).toBe(true);
    } finally {
      await worker.close();
    }
  });

  it('loads nothing at import: a worker starts without its module, fails the first call clearly, then loads it once it is there', async () => {
    const wasmPath = join(scratch, 'later.wasm');
    const worker = createWorkerBackend({ url: new URL('./fixtures/missing-wasm-worker.mjs', import.meta.url), size: 1, workerOptions: { workerData: { wasmPath } } });
    try {
      await worker.ready();
      expect(worker.canRun('add')).toBe(true);
      const failure = await failureOf(worker.runTask('add', [1, 2]));
      expect(failure.code).toBe('TASK_FAILED');
      expect(failure.cause.message).toMatch(/could not load .*later\.wasm: ENOENT/);
      copyFileSync(fileURLToPath(mathWasm), wasmPath);
      await expect(worker.runTask('add', [1, 2])).resolves.toBe(3);
    } finally {
      await worker.close();
    }
  });
});
