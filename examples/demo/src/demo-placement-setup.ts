import { availableParallelism } from 'node:os';

/**
 * The calls the demo's server advertises it runs at once (`--max-concurrency`).
 * The server runs tasks on its one thread, so more at once only wait there;
 * advertising a small limit lets the remote backend hold the rest on the
 * client and report them as queued, and lets placement see the server's real
 * wait. 4 leaves room beside the demo's calls for the other client of the
 * slowdown phase.
 */
export const demoServerMaxConcurrency = 4;

/**
 * The worker pool's default size: the machine's parallelism, at most 4, less
 * one core when the compute server runs on this machine too. The server
 * stands in for a second machine; giving it a core of its own is what lets
 * `'auto'` add the two up, as it would across real machines (on 2 cores:
 * a pool of 1 and the server's thread).
 *
 * @example
 * ```ts
 * demoWorkerCount({ withServer: true }); // 1 on a 2-core machine, 3 on 4 cores, 4 on 8
 * ```
 */
export function demoWorkerCount({ withServer }: { withServer: boolean }, cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(4, withServer ? cores - 1 : cores));
}
