import { demoInput, type DemoCall, type PixelsAs } from './demo-batch.js';
import type { DemoPhaseRouter } from './run-demo-phase.js';

// Browser-safe: the Node demo (runDemo) and the browser example warm up through this.

/** Options for {@link warmUpDemoBackends}. */
export interface WarmUpDemoBackendsOptions {
  compute: DemoPhaseRouter;
  batch: readonly DemoCall[];
  /** The strategies to warm up, each with how its pixels travel and how many times (default 1) to send its calls. */
  strategies: readonly { strategy: string; pixelsAs: PixelsAs; times?: number | undefined }[];
  /** At most this many calls in flight, as in the phases. */
  concurrency: number;
  isRight: (call: DemoCall, answer: unknown) => Promise<boolean>;
  signal?: AbortSignal | undefined;
}

/** Calls per strategy: the batch's first 21 calls hold every distinct input (see makeDemoBatch). */
const warmUpCalls = 24;

/**
 * Runs a few unmeasured calls through each strategy before the measured
 * phases. The first calls on a backend pay for JIT compilation (in this
 * thread, in each worker, in the server) and the answer checker computes its
 * expected answers on them; left in, that cost lands on whichever phase runs
 * first and makes its backend look several times slower than it is. Failures
 * are ignored here: the measured phases count them. Rejects only when `signal`
 * aborts.
 *
 * @example
 * ```ts
 * await warmUpDemoBackends({ compute, batch, strategies: [{ strategy: 'worker', pixelsAs: 'transfer' }],
 *   concurrency: 8, isRight });
 * ```
 */
export async function warmUpDemoBackends(options: WarmUpDemoBackendsOptions): Promise<void> {
  const { compute, strategies, concurrency, isRight, signal } = options;
  const calls = options.batch.slice(0, warmUpCalls);
  for (const { strategy, pixelsAs, times = 1 } of strategies) {
    for (let start = 0; start < calls.length * times; start += concurrency) {
      await Promise.allSettled(
        repeated(calls, times).slice(start, start + concurrency).map(async (call) => {
          const answer = await compute.runTask(call.task, demoInput(call, pixelsAs), { strategy, signal });
          await isRight(call, answer);
        }),
      );
      signal?.throwIfAborted();
    }
  }
}

function repeated<Item>(items: readonly Item[], times: number): Item[] {
  return Array.from({ length: times }, () => items).flat();
}
