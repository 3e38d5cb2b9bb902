import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { ComputeError, createHybridCompute, type ComputeBackendLike, type TaskSettledEvent } from '@hybridcompute/core';
import { createAnswerChecker, demoInput, makeDemoBatch, type PixelsAs } from './demo-batch.js';
import * as tasks from './demo-tasks.js';
import { spawnDemoServer, type DemoServerProcess } from './spawn-demo-server.js';

/** The backends the demo can run. */
export const demoBackendNames = ['local', 'worker', 'remote'] as const;
/** One of {@link demoBackendNames}. */
export type DemoBackendName = (typeof demoBackendNames)[number];

/** Options for {@link runDemo}. */
export interface RunDemoOptions {
  /** Calls per phase. Default 300. */
  batchSize?: number | undefined;
  /** Which backends the router gets; each also gets a phase of its own. Default all three. */
  backends?: readonly DemoBackendName[] | undefined;
  /** Worker pool size. Default: the machine's parallelism, at most 4. */
  workers?: number | undefined;
  /** The compute server's port; 0 (the default) takes a free one. */
  port?: number | undefined;
  /** Calls in flight at once. Default 16. */
  concurrency?: number | undefined;
  /** Told as the demo goes: to draw a progress bar or print lines. */
  onProgress?: ((event: DemoProgressEvent) => void) | undefined;
  /** Aborting stops the demo: calls in flight are aborted, the pool closed, the server stopped. */
  signal?: AbortSignal | undefined;
}

/** What {@link runDemo} tells `onProgress`. */
export type DemoProgressEvent =
  | { type: 'server-started'; url: string; pid: number }
  | { type: 'phase-started'; strategy: string; total: number }
  | { type: 'progress'; strategy: string; done: number; total: number }
  | { type: 'server-killed'; strategy: string; afterCalls: number };

/** Latency and throughput of the calls one backend answered in one phase. */
export interface BackendFigures {
  tasks: number;
  p50Ms: number;
  p95Ms: number;
  /** Calls it answered per second, from its first call's start to its last answer. */
  tasksPerSecond: number;
}

/** One phase: the whole batch through one strategy. */
export interface DemoPhase {
  /** `'local'`, `'worker'`, `'remote'` or `'auto'`. */
  strategy: string;
  tasks: number;
  elapsedMs: number;
  tasksPerSecond: number;
  /** The backends that answered, with their figures (latency of the backend's own attempt). */
  byBackend: Record<string, BackendFigures>;
  /** Calls that settled with an error: none is the point. */
  lost: number;
  /** Answers that differ from the task run right here. */
  wrong: number;
}

/** The fallback seen in the `'auto'` phase when the server is killed halfway. */
export interface DemoFallback {
  /** Calls started before the kill. */
  killedAfter: number;
  /** Calls remote answered `BACKEND_UNAVAILABLE` that the router then sent to the next backend. */
  moved: number;
  /** Where those calls were answered in the end. */
  completedElsewhere: Record<string, number>;
  /** Calls of the phase that no backend answered. */
  lost: number;
}

/** What {@link runDemo} measured. */
export interface DemoReport {
  server: { url: string; pid: number } | undefined;
  phases: DemoPhase[];
  /** Present when remote and at least one other backend take part. */
  fallback: DemoFallback | undefined;
  /** `divide` by zero through `'auto'`: a task's own error, never retried elsewhere. */
  taskError: { code: string; causeCode: string | undefined; backendsTried: string[] };
}

// A fallback needs a backend after remote, so remote goes first in 'auto'.
const autoOrder: readonly DemoBackendName[] = ['remote', 'worker', 'local'];

/**
 * Runs the demo: starts the compute server's CLI (when `remote` is asked for)
 * and a worker pool, runs the batch through each backend by name and then
 * through `'auto'` (remote, worker, local), killing the server halfway through
 * that phase so the router falls back. Closes the pool and stops the server
 * on every path out, errors and aborts included.
 *
 * @example
 * ```ts
 * const report = await runDemo({ batchSize: 60, backends: ['local', 'remote'] });
 * console.log(report.fallback?.moved, report.fallback?.lost); // e.g. 24 0
 * ```
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<DemoReport> {
  const batchSize = options.batchSize ?? 300;
  const backends = options.backends ?? demoBackendNames;
  const concurrency = options.concurrency ?? 16;
  if (backends.length === 0) throw new TypeError('runDemo: at least one backend is needed');
  const { onProgress } = options;
  // One signal for every call in flight: the router listens on it once per call.
  const stop = new AbortController();
  setMaxListeners(concurrency + 16, stop.signal);
  const signal = stop.signal;
  const forwardAbort = (): void => stop.abort(options.signal?.reason);
  if (options.signal?.aborted === true) forwardAbort();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  const use = (name: DemoBackendName): boolean => backends.includes(name);

  let server: DemoServerProcess | undefined;
  let worker: ReturnType<typeof createWorkerBackend> | undefined;
  let remote: ReturnType<typeof createRemoteBackend> | undefined;
  try {
    if (use('remote')) {
      server = await spawnDemoServer({ port: options.port ?? 0 });
      onProgress?.({ type: 'server-started', url: server.url, pid: server.pid });
      remote = createRemoteBackend({ endpoint: server.url });
      await remote.connect();
    }
    signal?.throwIfAborted();
    if (use('worker')) {
      worker = createWorkerBackend({
        url: new URL('../dist/demo-worker.js', import.meta.url),
        size: options.workers ?? Math.min(4, availableParallelism()),
      });
      await worker.ready();
    }
    signal?.throwIfAborted();

    let recordSettled: (event: TaskSettledEvent) => void = () => {};
    const routed: Record<string, ComputeBackendLike> = {};
    if (use('local')) routed['local'] = createLocalBackend({ tasks });
    if (worker !== undefined) routed['worker'] = worker;
    if (remote !== undefined) routed['remote'] = remote;
    const compute = createHybridCompute(routed, {
      order: autoOrder.filter(use),
      onTaskSettled: (event) => recordSettled(event),
    });

    const batch = makeDemoBatch(batchSize);
    const isRight = createAnswerChecker();
    const phases: DemoPhase[] = [];
    let fallback: DemoFallback | undefined;

    const runPhase = async (strategy: string, pixelsAs: PixelsAs, killAt: number | undefined): Promise<TaskSettledEvent[]> => {
      const events: TaskSettledEvent[] = [];
      const settledAt: number[] = [];
      recordSettled = (event) => {
        events.push(event);
        settledAt.push(performance.now());
      };
      onProgress?.({ type: 'phase-started', strategy, total: batchSize });
      let lost = 0;
      let wrong = 0;
      let done = 0;
      let killing: Promise<void> | undefined;
      const startedAt = performance.now();
      await runWithConcurrency(batchSize, concurrency, signal, async (index) => {
        if (index === killAt && server !== undefined) {
          const killed = server;
          killing = killed.kill().then(() => onProgress?.({ type: 'server-killed', strategy, afterCalls: index }));
        }
        if (killing !== undefined) await killing;
        const call = batch[index]!;
        try {
          const answer = await compute.runTask(call.task, demoInput(call, pixelsAs), { strategy, signal });
          if (!(await isRight(call, answer))) wrong++;
        } catch (error) {
          if (signal?.aborted === true) throw signal.reason;
          lost++;
        }
        done++;
        onProgress?.({ type: 'progress', strategy, done, total: batchSize });
      });
      const elapsedMs = performance.now() - startedAt;
      phases.push({
        strategy,
        tasks: done - lost,
        elapsedMs,
        tasksPerSecond: ((done - lost) / elapsedMs) * 1000,
        byBackend: figuresByBackend(events, settledAt),
        lost,
        wrong,
      });
      return events;
    };

    for (const name of demoBackendNames) {
      if (use(name)) await runPhase(name, name === 'remote' ? 'base64' : 'transfer', undefined);
    }
    // JSON carries no ArrayBuffer: under 'auto' a call may go to the server, so its pixels go as text.
    const killAt = remote !== undefined && backends.length > 1 ? Math.floor(batchSize / 2) : undefined;
    const autoEvents = await runPhase('auto', use('remote') ? 'base64' : 'transfer', killAt);
    if (killAt !== undefined) {
      const autoPhase = phases[phases.length - 1]!;
      const completedElsewhere: Record<string, number> = {};
      for (const event of autoEvents) {
        if (event.backend !== 'remote' && event.outcome === 'fulfilled') {
          completedElsewhere[event.backend] = (completedElsewhere[event.backend] ?? 0) + 1;
        }
      }
      fallback = {
        killedAfter: killAt,
        moved: autoEvents.filter((event) => event.backend === 'remote' && codeOf(event.error) === 'BACKEND_UNAVAILABLE').length,
        completedElsewhere,
        lost: autoPhase.lost,
      };
    }

    const tried: string[] = [];
    recordSettled = (event) => tried.push(event.backend);
    const taskError = await compute.runTask('divide', { dividend: 1, divisor: 0 }, { signal }).then(
      () => ({ code: 'none', causeCode: undefined, backendsTried: tried }),
      (error: unknown) => ({
        code: codeOf(error) ?? 'not a ComputeError',
        causeCode: (error as { cause?: { code?: string } }).cause?.code,
        backendsTried: tried,
      }),
    );
    return { server: server && { url: server.url, pid: server.pid }, phases, fallback, taskError };
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort);
    // Every path out: the pool's threads and the server process must not outlive the demo.
    await Promise.allSettled([worker?.close(), remote?.close(), server?.stop()]);
  }
}

async function runWithConcurrency(
  count: number,
  concurrency: number,
  signal: AbortSignal | undefined,
  runOne: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      signal?.throwIfAborted();
      await runOne(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

function figuresByBackend(events: TaskSettledEvent[], settledAt: number[]): Record<string, BackendFigures> {
  const byBackend = new Map<string, { durations: number[]; firstStart: number; lastSettle: number }>();
  events.forEach((event, index) => {
    if (event.outcome !== 'fulfilled') return;
    const settled = settledAt[index]!;
    const entry = byBackend.get(event.backend) ?? { durations: [], firstStart: Infinity, lastSettle: 0 };
    entry.durations.push(event.durationMs);
    entry.firstStart = Math.min(entry.firstStart, settled - event.durationMs);
    entry.lastSettle = Math.max(entry.lastSettle, settled);
    byBackend.set(event.backend, entry);
  });
  const figures: Record<string, BackendFigures> = {};
  for (const [backend, { durations, firstStart, lastSettle }] of byBackend) {
    durations.sort((a, b) => a - b);
    figures[backend] = {
      tasks: durations.length,
      p50Ms: percentile(durations, 0.5),
      p95Ms: percentile(durations, 0.95),
      tasksPerSecond: (durations.length / Math.max(lastSettle - firstStart, 0.001)) * 1000,
    };
  }
  return figures;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)] ?? 0;
}

function codeOf(error: unknown): string | undefined {
  return ComputeError.isInstance(error) ? error.code : undefined;
}
