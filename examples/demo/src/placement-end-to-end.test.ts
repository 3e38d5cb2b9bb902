import { createLocalBackend } from '@hybridcompute/backend-local';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { ComputeError, createHybridCompute, type RunTaskOptions, type TaskSettledEvent } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as tasks from './demo-tasks.js';
import { spawnDemoServer } from './spawn-demo-server.js';

// 'auto' placement over real parts: a pool of worker threads, a compute server on 127.0.0.1 (in this
// process, or a child process that can be killed), and backend-remote between them.

const workerUrl = new URL('../dist/demo-worker.js', import.meta.url);
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

/** A pool that runs one call at a time and queues none: a second call at once is QUEUE_FULL. */
async function singleSlotPool() {
  const worker = createWorkerBackend({ url: workerUrl, size: 1, concurrentTasksPerWorker: 1, maxQueue: 0 });
  closers.push(() => worker.close());
  await worker.ready();
  return worker;
}

async function inProcessServer() {
  const server = createComputeServer({ tasks, maxConcurrency: 64 });
  const { url } = await server.listen(0, '127.0.0.1');
  closers.push(() => server.close());
  const remote = createRemoteBackend({ endpoint: url });
  closers.push(() => remote.close());
  await remote.connect();
  return remote;
}

const expected = new Map<number, number>();
async function primesBelow(limit: number): Promise<number> {
  if (!expected.has(limit)) expected.set(limit, (await createLocalBackend({ tasks }).runTask('countPrimes', limit)) as number);
  return expected.get(limit)!;
}

const codeOf = (error: unknown) => (ComputeError.isInstance(error) ? error.code : String(error));

describe("'auto' placement end to end", () => {
  it('moves calls a full worker pool answers QUEUE_FULL on to the server, losing none', async () => {
    const worker = await singleSlotPool();
    const remote = await inProcessServer();
    const settled: TaskSettledEvent[] = [];
    // The router sees the pool only through canRun and runTask (no load()): it cannot tell the pool is
    // full before asking, so the pool's QUEUE_FULL is what moves calls on.
    const unseenPool = { canRun: (name: string) => worker.canRun(name), runTask: (name: string, input: unknown, options?: RunTaskOptions) => worker.runTask(name, input, options) };
    const compute = createHybridCompute({ worker: unseenPool, remote }, { onTaskSettled: (event) => settled.push(event) });
    const limits = Array.from({ length: 40 }, (_, index) => 30_000 + index);
    // Another part of the program keeps the pool's one slot busy, unseen by the router.
    let sideCalls = 0;
    let stopSide = false;
    const sideLoad = (async () => {
      while (!stopSide) {
        sideCalls++;
        await worker.runTask('countPrimes', 60_000).catch(() => undefined);
      }
    })();
    const answers = await Promise.all(limits.map((limit) => compute.runTask('countPrimes', limit)));
    stopSide = true;
    await sideLoad;
    expect(answers).toEqual(await Promise.all(limits.map(primesBelow)));
    const queueFull = settled.filter((event) => event.backend === 'worker' && codeOf(event.error) === 'QUEUE_FULL');
    expect(queueFull.length).toBeGreaterThan(0);
    // Every QUEUE_FULL was followed by an attempt of the same call elsewhere, which answered.
    for (const refused of queueFull) {
      const retried = settled.find((event) => event.callId === refused.callId && event.outcome === 'fulfilled');
      expect(retried).toMatchObject({ backend: 'remote', reason: 'spill-over' });
    }
    expect(sideCalls).toBeGreaterThan(0);
  });

  it('loses no call when the server dies in the middle of a batch', async () => {
    const server = await spawnDemoServer({ port: 0 });
    closers.push(() => server.stop());
    const remote = createRemoteBackend({ endpoint: server.url });
    closers.push(() => remote.close());
    await remote.connect();
    const worker = createWorkerBackend({ url: workerUrl, size: 2 });
    closers.push(() => worker.close());
    await worker.ready();
    const settled: TaskSettledEvent[] = [];
    const compute = createHybridCompute({ worker, remote }, { onTaskSettled: (event) => settled.push(event) });
    // Calls of some milliseconds each, so that the server still has calls running when its SIGKILL lands.
    const limits = Array.from({ length: 60 }, (_, index) => 150_000 + index);
    // Teach the router both backends first, so the batch spreads over them.
    for (const strategy of ['worker', 'remote', 'worker', 'remote'] as const) await compute.runTask('countPrimes', 1_000, strategy);
    settled.length = 0;
    let answered = 0;
    let killing: Promise<void> | undefined;
    const answers: number[] = [];
    let next = 0;
    const runner = async (): Promise<void> => {
      while (next < limits.length) {
        const index = next++;
        if (killing !== undefined) await killing;
        answers[index] = (await compute.runTask('countPrimes', limits[index]!)) as number;
        answered++;
        // Past a third of the batch, the server process is killed (SIGKILL) while calls are in flight on it.
        if (killing === undefined && answered >= 20 && compute.stats().backends['remote']!.inFlight > 0) killing = server.kill();
      }
    };
    await Promise.all(Array.from({ length: 8 }, runner));
    expect(killing).toBeDefined();
    expect(answers).toEqual(await Promise.all(limits.map(primesBelow)));
    const onRemote = settled.filter((event) => event.backend === 'remote');
    expect(onRemote.some((event) => event.outcome === 'fulfilled')).toBe(true);
    const moved = onRemote.filter((event) => codeOf(event.error) === 'BACKEND_UNAVAILABLE');
    expect(moved.length).toBeGreaterThan(0);
    for (const failed of moved) {
      expect(settled.find((event) => event.callId === failed.callId && event.outcome === 'fulfilled')).toMatchObject({
        backend: 'worker',
        reason: 'fallback',
      });
    }
  });

  it('never moves a call whose strategy names a backend', async () => {
    const worker = await singleSlotPool();
    const remote = await inProcessServer();
    const settled: TaskSettledEvent[] = [];
    const compute = createHybridCompute({ worker, remote }, { onTaskSettled: (event) => settled.push(event) });
    const outcomes = await Promise.all(
      [0, 1, 2].map((index) => compute.runTask('countPrimes', 40_000 + index, 'worker').then(() => 'answered', codeOf)),
    );
    expect(outcomes).toEqual(['answered', 'QUEUE_FULL', 'QUEUE_FULL']);
    await remote.close();
    await expect(compute.runTask('countPrimes', 100, { strategy: 'remote' })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(settled.map((event) => `${event.backend}:${event.reason}`)).toEqual([
      'worker:explicit',
      'worker:explicit',
      'worker:explicit',
      'remote:explicit',
    ]);
  });
});
