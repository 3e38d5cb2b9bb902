import type { TaskSettledEvent } from '@hybridcompute/core';
import { demoInput, type DemoCall, type PixelsAs } from './demo-batch.js';

// Browser-safe: the Node demo (runDemo) and the browser example run their phases through this.

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
  /** What the table calls it, when not its strategy (`'auto (server slowed)'`). */
  label?: string | undefined;
  tasks: number;
  elapsedMs: number;
  tasksPerSecond: number;
  /** The backends that answered, with their figures (latency of the backend's own attempt). */
  byBackend: Record<string, BackendFigures>;
  /** Calls that settled with an error: none is the point. */
  lost: number;
  /** Why each lost call was lost (its error's code and message), so a failed run says what went wrong. */
  lostBecause: string[];
  /** Answers that differ from the task run right here. */
  wrong: number;
}

/** What a phase needs of the router: an untyped `runTask` with options. */
export interface DemoPhaseRouter {
  runTask(taskName: string, input: unknown, options: { strategy: string; signal?: AbortSignal | undefined }): Promise<unknown>;
}

/**
 * Collects the router's `onTaskSettled` events with the time each arrived;
 * pass `onTaskSettled` to `createHybridCompute` and the recorder to {@link runDemoPhase}.
 *
 * @example
 * ```ts
 * const recorder = createSettledRecorder();
 * const compute = createHybridCompute(backends, { onTaskSettled: recorder.onTaskSettled });
 * ```
 */
export function createSettledRecorder(): {
  onTaskSettled: (event: TaskSettledEvent) => void;
  /** Returns what was recorded since the last call, and starts afresh. */
  take(): { events: TaskSettledEvent[]; settledAt: number[] };
} {
  let events: TaskSettledEvent[] = [];
  let settledAt: number[] = [];
  return {
    onTaskSettled: (event) => {
      events.push(event);
      settledAt.push(performance.now());
    },
    take: () => {
      const taken = { events, settledAt };
      events = [];
      settledAt = [];
      return taken;
    },
  };
}

/** Options for {@link runDemoPhase}. */
export interface RunDemoPhaseOptions {
  compute: DemoPhaseRouter;
  recorder: ReturnType<typeof createSettledRecorder>;
  batch: readonly DemoCall[];
  strategy: string;
  pixelsAs: PixelsAs;
  concurrency: number;
  isRight: (call: DemoCall, answer: unknown) => Promise<boolean>;
  signal?: AbortSignal | undefined;
  /** Awaited before call `index` starts: the Node demo kills its server here. */
  beforeCall?: ((index: number) => Promise<void> | void) | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Runs the batch through one strategy, `concurrency` calls in flight, checks
 * every answer, and measures each backend that answered. A call that rejects
 * counts as lost, unless `signal` aborted: then the phase rejects.
 *
 * @example
 * ```ts
 * const { phase } = await runDemoPhase({ compute, recorder, batch: makeDemoBatch(60), strategy: 'worker',
 *   pixelsAs: 'transfer', concurrency: 8, isRight: createAnswerChecker() });
 * ```
 */
export async function runDemoPhase(options: RunDemoPhaseOptions): Promise<{ phase: DemoPhase; events: TaskSettledEvent[] }> {
  const { compute, recorder, batch, strategy, pixelsAs, signal, isRight, beforeCall, onProgress } = options;
  recorder.take();
  let lost = 0;
  const lostBecause: string[] = [];
  let wrong = 0;
  let done = 0;
  let next = 0;
  const startedAt = performance.now();
  const lane = async (): Promise<void> => {
    while (next < batch.length) {
      signal?.throwIfAborted();
      const index = next++;
      await beforeCall?.(index);
      const call = batch[index]!;
      try {
        const answer = await compute.runTask(call.task, demoInput(call, pixelsAs), { strategy, signal });
        if (!(await isRight(call, answer))) wrong++;
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        lost++;
        lostBecause.push(`${(error as { code?: unknown }).code ?? 'no code'}: ${(error as Error)?.message ?? String(error)}`);
      }
      done++;
      onProgress?.(done, batch.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, batch.length) }, lane));
  const elapsedMs = performance.now() - startedAt;
  const { events, settledAt } = recorder.take();
  const phase: DemoPhase = {
    strategy,
    tasks: done - lost,
    elapsedMs,
    tasksPerSecond: ((done - lost) / elapsedMs) * 1000,
    byBackend: figuresByBackend(events, settledAt),
    lost,
    lostBecause,
    wrong,
  };
  return { phase, events };
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
