import { availableParallelism } from 'node:os';

/**
 * The calls the demo's server advertises it runs at once (`--max-concurrency`).
 * The server SIMULATES a second machine (`simulated-machine-tasks.ts`): 2 is
 * a machine of two cores, like this one, each as fast as this one's. The
 * remote backend holds the calls past the limit on the client and reports
 * them as queued, so placement sees the server's real wait; in the slowdown
 * phase another client takes one of the two.
 */
export const demoServerMaxConcurrency = 2;

/**
 * The worker pool's default size: the machine's parallelism, at most 4, less
 * one core when the compute server runs on this machine too. The server
 * stands in for a second machine, and computes an input for real the first
 * times it sees it (then answers on a timer): a core of its own keeps that
 * off the pool's (on 2 cores: a pool of 1, the caller's thread and the
 * server's).
 *
 * @example
 * ```ts
 * demoWorkerCount({ withServer: true }); // 1 on a 2-core machine, 3 on 4 cores, 4 on 8
 * ```
 */
export function demoWorkerCount({ withServer }: { withServer: boolean }, cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(4, withServer ? cores - 1 : cores));
}
