import type { RouterStats, TaskBackendStats } from './placement-types.js';
import type { BackendLoad } from '../types.js';
import type { PlacedBackend, PlacedTask } from './placement-records.js';
import { readBackendLoad } from './read-backend-load.js';

/**
 * `compute.stats()`: a snapshot of the router's records (copies, so later calls do not change it).
 *
 * @internal Used by the router; not part of the public API.
 */
export function routerStatsOf(
  backends: readonly PlacedBackend[],
  tasks: ReadonlyMap<string, PlacedTask>,
  ordered: boolean,
): RouterStats {
  const byBackend: RouterStats['backends'] = {};
  for (const placed of backends) {
    const load = placed.hasLoad ? readBackendLoad(placed.backend) : undefined;
    byBackend[placed.name] = { calls: placed.calls, inFlight: placed.inFlight, failures: placed.failures, load: load && { ...load } };
  }
  const byTask: RouterStats['tasks'] = {};
  for (const [taskName, task] of tasks) {
    const figures: Record<string, TaskBackendStats> = {};
    task.pairs.forEach((pair, backendIndex) => {
      if (pair.calls === 0) return;
      const value = pair.estimate.valueMs;
      figures[(backends[backendIndex] as PlacedBackend).name] = {
        calls: pair.calls,
        inFlight: pair.inFlight,
        failures: pair.failures,
        p50Ms: pair.latencies.quantile(0.5),
        p95Ms: pair.latencies.quantile(0.95),
        estimateMs: value === value ? value : undefined,
        samples: pair.estimate.samples,
      };
    });
    byTask[taskName] = figures;
  }
  return { placement: ordered ? 'ordered' : 'fastest', backends: byBackend, tasks: byTask };
}

/**
 * The router's `load()`: the sum over the backends in its order of each one's
 * `load()`, or, for one without, the router's calls in flight there against
 * a capacity of 1 (what placement assumes of it). `parallelism` is summed
 * too (a backend that gives none counts its capacity) when any backend gives one.
 *
 * @internal Used by the router; not part of the public API.
 */
export function routerLoadOf(backends: readonly PlacedBackend[], order: readonly number[]): BackendLoad {
  let inFlight = 0;
  let capacity = 0;
  let queued = 0;
  let parallelism = 0;
  let reportsParallelism = false;
  for (const backendIndex of order) {
    const placed = backends[backendIndex] as PlacedBackend;
    const load = placed.hasLoad ? readBackendLoad(placed.backend) : undefined;
    if (load === undefined) {
      inFlight += placed.inFlight;
      capacity += 1;
      parallelism += 1;
    } else {
      inFlight += load.inFlight;
      capacity += load.capacity;
      queued += load.queued ?? 0;
      if (load.parallelism !== undefined) reportsParallelism = true;
      parallelism += load.parallelism !== undefined && load.parallelism < load.capacity ? load.parallelism : load.capacity;
    }
  }
  return reportsParallelism ? { inFlight, capacity, queued, parallelism } : { inFlight, capacity, queued };
}
