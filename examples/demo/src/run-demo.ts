import { createLocalBackend } from '@hybridcompute/backend-local';
import { ComputeError, createHybridCompute, type TaskSettledEvent } from '@hybridcompute/core';
import * as tasks from './demo-tasks.js';

/** What the demo measured, for its test and its printout. */
export interface DemoReport {
  batch: { tasks: number; byBackend: Record<string, number>; p50Ms: number; p95Ms: number; tasksPerSecond: number };
  typedResult: number;
  failure: { code: string; causeCode: string | undefined };
  timeout: { code: string; afterMs: number };
}

/**
 * Runs the demo: a batch of tasks through a router over the local backend,
 * then a task that fails and one that times out.
 */
export async function runDemo({ batchSize = 200 }: { batchSize?: number } = {}): Promise<DemoReport> {
  const settled: TaskSettledEvent[] = [];
  const compute = createHybridCompute<typeof tasks>(
    { local: createLocalBackend({ tasks }) },
    { onTaskSettled: (event) => settled.push(event) },
  );

  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: batchSize }, (_, index) =>
      index % 2 === 0 ? compute.runTask('countPrimes', 2_000 + index * 10) : compute.runTask('fnv1a', `item-${index}`),
    ),
  );
  const elapsedMs = performance.now() - startedAt;
  const batchEvents = settled.splice(0);
  const durations = batchEvents.map((event) => event.durationMs).sort((a, b) => a - b);
  const byBackend: Record<string, number> = {};
  for (const event of batchEvents) byBackend[event.backend] = (byBackend[event.backend] ?? 0) + 1;

  // Typed by the task definitions: a number in, a number out.
  const typedResult = await compute.runTask('countPrimes', 100);

  const failure = await compute.runTask('divide', { dividend: 1, divisor: 0 }).then(
    () => ({ code: 'none', causeCode: undefined }),
    (error: unknown) => ({
      code: ComputeError.isInstance(error) ? error.code : 'not a ComputeError',
      causeCode: (error as { cause?: { code?: string } }).cause?.code,
    }),
  );

  const timeoutStartedAt = performance.now();
  const timeout = await compute.runTask('countPrimes', 50_000_000, { timeout: 50 }).then(
    () => ({ code: 'none', afterMs: 0 }),
    (error: unknown) => ({
      code: ComputeError.isInstance(error) ? error.code : 'not a ComputeError',
      afterMs: performance.now() - timeoutStartedAt,
    }),
  );

  await compute.close();
  return {
    batch: {
      tasks: batchEvents.length,
      byBackend,
      p50Ms: percentile(durations, 0.5),
      p95Ms: percentile(durations, 0.95),
      tasksPerSecond: (batchSize / elapsedMs) * 1000,
    },
    typedResult,
    failure,
    timeout,
  };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}
