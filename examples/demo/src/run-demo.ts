import { setMaxListeners } from 'node:events';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { ComputeError, createHybridCompute, type ComputeBackendLike, type TaskSettledEvent } from '@hybridcompute/core';
import { createAnswerChecker, demoInput, makeDemoBatch, type PixelsAs } from './demo-batch.js';
import * as tasks from './demo-tasks.js';
import { createSettledRecorder, runDemoPhase, type DemoPhase } from './run-demo-phase.js';
import { runProgressAndStream, type DemoLongTask, type DemoStream, type ProgressAndStreamEvent } from './run-progress-and-stream.js';
import { sideLoadDemoServer } from './side-load-demo-server.js';
import { measuredRuns } from './simulated-machine-tasks.js';
import { spawnDemoServer, type DemoServerProcess } from './spawn-demo-server.js';
import { warmUpDemoBackends } from './warm-up-demo-backends.js';
import { demoServerMaxConcurrency, demoWorkerCount } from './demo-placement-setup.js';

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
  /** Worker pool size. Default: the machine's parallelism, at most 4, less one core for the server when it runs (see `demoWorkerCount`). */
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
  | { type: 'server-killed'; strategy: string; afterCalls: number }
  | ProgressAndStreamEvent;

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

/** The `'auto (server slowed)'` phase: another client loads the server from halfway on. */
export interface DemoSlowdown {
  /** The server's share of the phase's answers, per quarter of the phase (in the order the calls started). */
  remoteSharePerQuarter: number[];
  /** Calls the other client made meanwhile. */
  sideCalls: number;
}

/** What {@link runDemo} measured. */
export interface DemoReport {
  server: { url: string; pid: number } | undefined;
  phases: DemoPhase[];
  /** Present when remote and at least one other backend take part. */
  slowdown: DemoSlowdown | undefined;
  /** Present when remote and at least one other backend take part. */
  fallback: DemoFallback | undefined;
  /** The WebAssembly task `longestCollatz(limit)`, once on each backend by name: the answer of each. */
  wasm: { limit: number; answers: Record<string, unknown> };
  /** `divide` by zero through `'auto'`: a task's own error, never retried elsewhere. */
  taskError: { code: string; causeCode: string | undefined; backendsTried: string[] };
  /** `countPrimes` with live progress, on the worker pool (else local); absent with neither. */
  longTask: DemoLongTask | undefined;
  /**
   * `blurTiles` streamed from each backend that serves it off the caller's
   * thread: the server (before it is killed, its pixels as MessagePack
   * bytes), then the worker pool (its pixels transferred). Empty with neither.
   */
  streams: DemoStream[];
}

// What the demo asks the WebAssembly task for, on each backend: about 10 ms of work.
const wasmLimit = 100_000;

// What the other client of the slowdown phase asks the server for: calls of some 20 to 40 ms, each holding one of
// the simulated machine's slots (it computes the input for real the first 3 times, as any input, then on a timer).
const sideLoadLimit = 200_000;

// The fallback phase runs first fit ('ordered') with remote first, so every call after the kill tries it.
const fallbackOrder: readonly DemoBackendName[] = ['remote', 'worker', 'local'];

/**
 * Runs the demo: starts the compute server's CLI (when `remote` is asked for)
 * and a worker pool, runs the batch through each backend by name, then
 * through `'auto'`, which places each call where it should finish soonest;
 * then through `'auto'` again while another client loads the server from
 * halfway on (traffic moves away from it); then through first fit
 * (`placement: 'ordered'`, remote first), killing the server halfway so the
 * router falls back. Closes the pool and stops the server on every path out,
 * errors and aborts included.
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
  // One signal for every call in flight, listened to a few times per call: by the router's hooks and by
  // the backend (backend-remote: while the call waits on the client for room, and by its request).
  const stop = new AbortController();
  setMaxListeners(5 * concurrency + 16, stop.signal);
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
      // A SIMULATED second machine: the batch's tasks answered on a timer (see simulated-machine-tasks.ts).
      server = await spawnDemoServer({ port: options.port ?? 0, maxConcurrency: demoServerMaxConcurrency, simulatedMachine: true });
      onProgress?.({ type: 'server-started', url: server.url, pid: server.pid });
      remote = createRemoteBackend({ endpoint: server.url });
      await remote.connect();
    }
    signal?.throwIfAborted();
    if (use('worker')) {
      worker = createWorkerBackend({
        url: new URL('../dist/demo-worker.js', import.meta.url),
        size: options.workers ?? demoWorkerCount({ withServer: use('remote') }),
      });
      await worker.ready();
    }
    signal?.throwIfAborted();

    const recorder = createSettledRecorder();
    const routed: Record<string, ComputeBackendLike> = {};
    if (use('local')) routed['local'] = createLocalBackend({ tasks });
    if (worker !== undefined) routed['worker'] = worker;
    if (remote !== undefined) routed['remote'] = remote;
    // localBudgetMs 0: 'auto' keeps the batch off the caller's thread (see the README, "Placement").
    const compute = createHybridCompute(routed, { onTaskSettled: recorder.onTaskSettled });
    const firstFit = createHybridCompute(routed, {
      placement: 'ordered',
      order: fallbackOrder.filter(use),
      onTaskSettled: recorder.onTaskSettled,
    });

    const batch = makeDemoBatch(batchSize);
    const isRight = createAnswerChecker();
    const phases: DemoPhase[] = [];
    let fallback: DemoFallback | undefined;

    const runPhase = async (
      strategy: string,
      pixelsAs: PixelsAs,
      { label = strategy, router = compute, killAt, beforeCall }: PhaseOptions = {},
    ): Promise<TaskSettledEvent[]> => {
      onProgress?.({ type: 'phase-started', strategy: label, total: batchSize });
      let killing: Promise<void> | undefined;
      const { phase, events } = await runDemoPhase({
        compute: router,
        recorder,
        batch,
        strategy,
        pixelsAs,
        concurrency,
        isRight,
        signal,
        // The calls from killAt on wait until the server is gone, so the fallback is seen for certain.
        beforeCall: (index) => {
          beforeCall?.(index);
          if (index === killAt && server !== undefined) {
            killing = server.kill().then(() => onProgress?.({ type: 'server-killed', strategy: label, afterCalls: index }));
          }
          return killing;
        },
        onProgress: (done, total) => onProgress?.({ type: 'progress', strategy: label, done, total }),
      });
      phases.push(label === strategy ? phase : { ...phase, label });
      return events;
    };

    // JSON carries no ArrayBuffer: under 'auto' a call may go to the server, so its pixels go as text;
    // every phase sends them the same way, so that each backend alone does the same work as 'auto'.
    const autoPixels: PixelsAs = use('remote') ? 'base64' : 'transfer';
    // Unmeasured, so that no phase pays for the JIT's and the answer checker's first calls.
    await warmUpDemoBackends({
      compute,
      batch,
      // The simulated machine computes each input for real (and times it) the first measuredRuns times it sees it.
      strategies: demoBackendNames.filter(use).map((name) => ({ strategy: name, pixelsAs: autoPixels, times: name === 'remote' ? measuredRuns : 1 })),
      concurrency,
      isRight,
      signal,
    });

    for (const name of demoBackendNames) {
      if (use(name)) await runPhase(name, autoPixels);
    }
    // One module, every backend: the WebAssembly task by name, before the server is killed.
    const wasm = { limit: wasmLimit, answers: {} as Record<string, unknown> };
    for (const name of demoBackendNames) {
      if (use(name)) wasm.answers[name] = await compute.runTask('longestCollatz', wasmLimit, { strategy: name, signal });
    }
    // The same streaming task from the server, while it is still up; the worker's streams at the end.
    const serverStream = remote === undefined ? undefined : (await runProgressAndStream({ compute, longTaskOn: undefined, streamOn: 'remote', signal, onProgress })).stream;
    await runPhase('auto', autoPixels);
    const others = backends.length > 1;
    let slowdown: DemoSlowdown | undefined;
    if (server !== undefined && others) {
      let side: ReturnType<typeof sideLoadDemoServer> | undefined;
      const half = Math.floor(batchSize / 2);
      let events: TaskSettledEvent[];
      let sideCalls = 0;
      try {
        events = await runPhase('auto', autoPixels, {
          label: 'auto (server slowed)',
          beforeCall: (index) => {
            // Both of the simulated machine's slots, most of the time: the demo's calls wait there, or are refused.
            if (index === half) side = sideLoadDemoServer(server!.url, { inFlight: demoServerMaxConcurrency, limit: sideLoadLimit });
          },
        });
      } finally {
        sideCalls = (await side?.stop()) ?? 0;
      }
      // By the order the calls started in (call ids count up): a call the loaded server answered late belongs to the quarter it was placed in.
      const answered = events.filter((event) => event.outcome === 'fulfilled').sort((a, b) => a.callId - b.callId);
      const quarter = Math.max(1, Math.ceil(answered.length / 4));
      const remoteSharePerQuarter: number[] = [];
      for (let from = 0; from < answered.length; from += quarter) {
        const slice = answered.slice(from, from + quarter);
        remoteSharePerQuarter.push(slice.filter((event) => event.backend === 'remote').length / slice.length);
      }
      slowdown = { remoteSharePerQuarter, sideCalls };
    }
    const killAt = server !== undefined && others ? Math.floor(batchSize / 2) : undefined;
    if (killAt !== undefined) {
      const fallbackEvents = await runPhase('auto', autoPixels, { label: 'ordered (server killed)', router: firstFit, killAt });
      const fallbackPhase = phases[phases.length - 1]!;
      const moved = fallbackEvents.filter((event) => event.backend === 'remote' && codeOf(event.error) === 'BACKEND_UNAVAILABLE');
      const movedIds = new Set(moved.map((event) => event.callId));
      const completedElsewhere: Record<string, number> = {};
      for (const event of fallbackEvents) {
        if (movedIds.has(event.callId) && event.outcome === 'fulfilled') {
          completedElsewhere[event.backend] = (completedElsewhere[event.backend] ?? 0) + 1;
        }
      }
      fallback = { killedAfter: killAt, moved: moved.length, completedElsewhere, lost: fallbackPhase.lost };
    }

    recorder.take();
    const taskError = await (killAt === undefined ? compute : firstFit).runTask('divide', { dividend: 1, divisor: 0 }, { signal }).then(
      () => ({ code: 'none', causeCode: undefined }),
      (error: unknown) => ({ code: codeOf(error) ?? 'not a ComputeError', causeCode: (error as { cause?: { code?: string } }).cause?.code }),
    );
    const backendsTried = recorder.take().events.map((event) => event.backend);
    const longTaskOn = worker !== undefined ? 'worker' : use('local') ? 'local' : undefined;
    const { longTask, stream } = await runProgressAndStream({ compute, longTaskOn, streamOn: worker && 'worker', signal, onProgress });
    const streams = [serverStream, stream].filter((each): each is DemoStream => each !== undefined);
    return { server: server && { url: server.url, pid: server.pid }, phases, slowdown, fallback, wasm, taskError: { ...taskError, backendsTried }, longTask, streams };
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort);
    // Every path out: the pool's threads and the server process must not outlive the demo.
    await Promise.allSettled([worker?.close(), remote?.close(), server?.stop()]);
  }
}

interface PhaseOptions {
  /** What the table calls the phase; default the strategy. */
  label?: string | undefined;
  router?: ReturnType<typeof createHybridCompute> | undefined;
  /** The call at which the server is killed. */
  killAt?: number | undefined;
  beforeCall?: ((index: number) => void) | undefined;
}

function codeOf(error: unknown): string | undefined {
  return ComputeError.isInstance(error) ? error.code : undefined;
}
