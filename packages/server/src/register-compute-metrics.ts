import { invalidArgumentError } from '@hybridcompute/core';
import type { Registry } from 'prom-client';
import { promClient } from './load-prom-client.js';

/**
 * The part of a router's `stats()` that {@link registerComputeMetrics} reads (core's `RouterStats`).
 *
 * @example
 * ```ts
 * const router: RouterStatsSource = createHybridCompute({ local, worker });
 * registerComputeMetrics(registry, { router });
 * ```
 */
export interface RouterStatsSource {
  stats(): {
    backends: Record<string, { calls: number; inFlight: number; failures: number; load?: { inFlight: number; capacity: number; queued?: number | undefined } | undefined }>;
  };
}

/**
 * The part of a worker pool's `stats()` that {@link registerComputeMetrics} reads (backend-worker's `WorkerBackendStats`).
 *
 * @example
 * ```ts
 * const pool: WorkerPoolStatsSource = createWorkerBackend({ url: new URL('./tasks.worker.js', import.meta.url) });
 * registerComputeMetrics(registry, { pool });
 * ```
 */
export interface WorkerPoolStatsSource {
  stats(): {
    workers: number;
    queued: number;
    running: number;
    completed: number;
    failed: number;
    timedOut: number;
    aborted: number;
    runTime: { p50: number; p90: number; p99: number };
    waitTime: { p50: number; p90: number; p99: number };
  };
}

/**
 * Registers a router's and a worker pool's `stats()` with a prom-client
 * registry, read at each scrape (nothing is counted per call):
 *
 * - router, by `backend`: `hybridcompute_router_calls_total`,
 *   `hybridcompute_router_failures_total`, `hybridcompute_router_calls_in_flight`,
 *   and `hybridcompute_router_backend_capacity` / `_backend_queued` for backends
 *   that report their load;
 * - pool: `hybridcompute_worker_pool_workers`, `_queue_depth`, `_running`,
 *   `hybridcompute_worker_pool_calls_total` by `outcome` (completed, failed,
 *   timed_out, aborted), and `_run_seconds` / `_wait_seconds` by `quantile`
 *   (0.5, 0.9, 0.99 over the recent calls).
 *
 * @throws TypeError (code `INVALID_REQUEST`) when `registry` is not a
 *   prom-client Registry or a source has no `stats()`.
 *
 * @example
 * ```ts
 * import { Registry, collectDefaultMetrics } from 'prom-client';
 * import { registerComputeMetrics } from '@hybridcompute/server';
 *
 * const registry = new Registry();
 * collectDefaultMetrics({ register: registry });
 * registerComputeMetrics(registry, { router: compute, pool: worker });
 * app.get('/metrics', async (_request, response) => {
 *   response.type(registry.contentType).send(await registry.metrics());
 * });
 * ```
 */
export function registerComputeMetrics(registry: Registry, sources: { router?: RouterStatsSource | undefined; pool?: WorkerPoolStatsSource | undefined }): void {
  const { Counter, Gauge, Registry } = promClient();
  if (!(registry instanceof Registry)) throw invalidArgumentError('registerComputeMetrics: registry must be a prom-client Registry');
  const { router, pool } = sources ?? {};
  for (const [name, source] of [['router', router], ['pool', pool]] as const) {
    if (source !== undefined && typeof source?.stats !== 'function') throw invalidArgumentError(`registerComputeMetrics: ${name} must have a stats() method`);
  }
  if (registry.getSingleMetric(router === undefined ? 'hybridcompute_worker_pool_workers' : 'hybridcompute_router_calls_total') !== undefined) {
    throw invalidArgumentError('registerComputeMetrics: this registry already has these metrics: register each router and pool with a registry of its own');
  }
  const registers = [registry];
  if (router !== undefined) {
    const backends = () => Object.entries(router.stats().backends);
    new Counter({
      name: 'hybridcompute_router_calls_total',
      help: 'Calls the router handed to each backend (every attempt)',
      labelNames: ['backend'],
      registers,
      collect() {
        this.reset();
        for (const [backend, figures] of backends()) this.inc({ backend }, figures.calls);
      },
    });
    new Counter({
      name: 'hybridcompute_router_failures_total',
      help: 'Attempts on each backend that rejected',
      labelNames: ['backend'],
      registers,
      collect() {
        this.reset();
        for (const [backend, figures] of backends()) this.inc({ backend }, figures.failures);
      },
    });
    backendGauge(Gauge, registers, 'hybridcompute_router_calls_in_flight', 'Calls on each backend not settled yet', backends, (figures) => figures.inFlight);
    backendGauge(Gauge, registers, 'hybridcompute_router_backend_capacity', 'Calls each backend can run at once now, by its load()', backends, (figures) => figures.load?.capacity);
    backendGauge(Gauge, registers, 'hybridcompute_router_backend_queued', 'Calls waiting in each backend, by its load()', backends, (figures) => figures.load?.queued);
  }
  if (pool !== undefined) {
    plainGauge(Gauge, registers, 'hybridcompute_worker_pool_workers', 'Workers that have finished their handshake', () => pool.stats().workers);
    plainGauge(Gauge, registers, 'hybridcompute_worker_pool_queue_depth', 'Calls waiting for a free worker', () => pool.stats().queued);
    plainGauge(Gauge, registers, 'hybridcompute_worker_pool_running', 'Calls on a worker now', () => pool.stats().running);
    new Counter({
      name: 'hybridcompute_worker_pool_calls_total',
      help: 'Calls the pool settled, by outcome',
      labelNames: ['outcome'],
      registers,
      collect() {
        const { completed, failed, timedOut, aborted } = pool.stats();
        this.reset();
        this.inc({ outcome: 'completed' }, completed);
        this.inc({ outcome: 'failed' }, failed);
        this.inc({ outcome: 'timed_out' }, timedOut);
        this.inc({ outcome: 'aborted' }, aborted);
      },
    });
    quantileGauge(Gauge, registers, 'hybridcompute_worker_pool_run_seconds', 'Time on a worker over the recent calls', () => pool.stats().runTime);
    quantileGauge(Gauge, registers, 'hybridcompute_worker_pool_wait_seconds', 'Time in the queue over the recent calls', () => pool.stats().waitTime);
  }
}

type BackendFigures = ReturnType<RouterStatsSource['stats']>['backends'][string];

type GaugeClass = ReturnType<typeof promClient>['Gauge'];

function backendGauge(
  Gauge: GaugeClass,
  registers: Registry[],
  name: string,
  help: string,
  backends: () => [string, BackendFigures][],
  read: (figures: BackendFigures) => number | undefined,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['backend'],
    registers,
    collect() {
      this.reset();
      for (const [backend, figures] of backends()) {
        const value = read(figures);
        if (value !== undefined) this.set({ backend }, value);
      }
    },
  });
}

function plainGauge(Gauge: GaugeClass, registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

function quantileGauge(Gauge: GaugeClass, registers: Registry[], name: string, help: string, read: () => { p50: number; p90: number; p99: number }): void {
  new Gauge({
    name,
    help,
    labelNames: ['quantile'],
    registers,
    collect() {
      const { p50, p90, p99 } = read();
      this.set({ quantile: '0.5' }, p50 / 1000);
      this.set({ quantile: '0.9' }, p90 / 1000);
      this.set({ quantile: '0.99' }, p99 / 1000);
    },
  });
}
