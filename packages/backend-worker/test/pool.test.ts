import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { conformanceTasks } from '@hybridcompute/backend-conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerBackend, type WorkerBackend } from '../src/node/index.js';

const run = promisify(execFile);
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('10,000 concurrent calls', () => {
  let backend: WorkerBackend;
  beforeAll(async () => {
    backend = createWorkerBackend({ url: new URL('./fixtures/conformance-worker.mjs', import.meta.url), size: 2, tasks: conformanceTasks });
    await backend.ready();
  });
  afterAll(() => backend.close());

  it('matches every result of 10,000 calls with mixed durations to its input', async () => {
    const calls = Array.from({ length: 10_000 }, (_, index) => {
      switch (index % 4) {
        case 0:
          return { task: 'delayedEcho', input: { value: { index }, ms: index % 7 }, expected: { index } };
        case 1:
          return { task: 'double', input: index, expected: index * 2 };
        case 2:
          return { task: 'asyncDouble', input: index, expected: index * 2 };
        default:
          return { task: 'echo', input: `call ${index}`, expected: `call ${index}` };
      }
    });
    const results = await Promise.all(calls.map((call) => backend.runTask(call.task, call.input)));
    expect(results).toEqual(calls.map((call) => call.expected));
    const stats = backend.stats();
    expect(stats.running).toBe(0);
    expect(stats.queued).toBe(0);
    expect(stats.completed).toBeGreaterThanOrEqual(10_000);
    expect(stats.runTime.max).toBeGreaterThan(0);
  });
});

describe('close()', () => {
  it('settles every call running and queued, rejects later calls, and lets the process exit on its own', async () => {
    const { stdout } = await run(process.execPath, [fixture('close-child.mjs')], { timeout: 30_000 });
    const report = JSON.parse(stdout) as { running: number; queued: number; codes: string[]; afterClose: string };
    expect(report.running).toBe(4);
    expect(report.queued).toBe(7);
    expect(report.codes).toEqual(Array.from({ length: 11 }, () => 'BACKEND_UNAVAILABLE'));
    expect(report.afterClose).toBe('BACKEND_UNAVAILABLE');
  });
});

describe('close() in awkward states', () => {
  it('settles every call of a pool still starting and of one with an abort in its grace period, and leaves no timer behind', async () => {
    const { stdout } = await run(process.execPath, [fixture('close-everything-child.mjs')], { timeout: 30_000 });
    const report = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    expect(report['starting']).toEqual({ early: 'BACKEND_UNAVAILABLE', ready: 'BACKEND_UNAVAILABLE' });
    expect(report['busy']).toEqual({
      spinning: 'TASK_ABORTED',
      sleeping: 'BACKEND_UNAVAILABLE',
      queued: 'BACKEND_UNAVAILABLE',
      afterAbort: 'BACKEND_UNAVAILABLE',
      running: 2,
      queuedBefore: 2,
    });
  });
});

describe('memory', () => {
  it('keeps the heap and the workers flat over 200,000 no-op calls', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', fixture('memory-child.mjs')], { timeout: 120_000 });
    const report = JSON.parse(stdout) as {
      heapBefore: number;
      heapAfter: number;
      threadsBefore: number[];
      threadsAfter: number[];
      workers: number;
      completed: number;
      running: number;
      queued: number;
    };
    expect(report.completed).toBeGreaterThanOrEqual(220_000);
    // A leak of even 40 bytes a call would add 8 MB.
    expect(report.heapAfter - report.heapBefore).toBeLessThan(4 * 1024 * 1024);
    expect(report.workers).toBe(2);
    expect(report.threadsAfter).toEqual(report.threadsBefore);
    expect([report.running, report.queued]).toEqual([0, 0]);
  }, 150_000);
});
