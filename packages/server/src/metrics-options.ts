import { invalidArgumentError } from '@hybridcompute/core';
import type { Registry } from 'prom-client';
import { promClient } from './load-prom-client.js';

/**
 * The `metrics` option of {@link createComputeServer}. `true` serves
 * `GET /metrics` (beside `/healthz`) on the server's port; `{ port }` serves
 * it on a port of its own instead (`host` defaults to `'127.0.0.1'`), so
 * that it need not be exposed with the calls. Either way it asks for the
 * server's `token` when one is set. Give `registry` to have the server's
 * metrics in a prom-client registry of yours (the server then adds no
 * default process metrics: register them yourself with
 * `collectDefaultMetrics({ register: registry })`).
 *
 * @example
 * ```ts
 * import type { Registry } from 'prom-client';
import { promClient } from './load-prom-client.js';
 *
 * const onItsOwnPort: ComputeServerMetricsOption = { port: 9464, host: '0.0.0.0' };
 * const intoMine: ComputeServerMetricsOption = { registry: new Registry() };
 * const server = createComputeServer({ tasks, metrics: onItsOwnPort });
 * ```
 */
export type ComputeServerMetricsOption =
  | boolean
  | {
      /** A port of its own for `GET /metrics`; 0 picks a free one (see `server.metricsAddress`). */
      port?: number | undefined;
      /** The interface of that port. Default `'127.0.0.1'`. */
      host?: string | undefined;
      /** A prom-client registry to register the server's metrics with, instead of one of its own. */
      registry?: Registry | undefined;
    };

/** The `metrics` option once checked. */
export interface MetricsSettings {
  port: number | undefined;
  host: string;
  registry: Registry | undefined;
}

/** Checks the `metrics` option: `undefined` when metrics are off. */
export function readMetricsOptions(metrics: unknown): MetricsSettings | undefined {
  if (metrics === undefined || metrics === false) return undefined;
  if (metrics === true) return { port: undefined, host: '127.0.0.1', registry: undefined };
  if (typeof metrics !== 'object' || metrics === null) throw invalid('metrics must be true, false or { port?, host?, registry? }');
  const { port, host, registry } = metrics as Exclude<ComputeServerMetricsOption, boolean>;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) throw invalid(`metrics.port must be an integer from 0 to 65535, got ${String(port)}`);
  if (host !== undefined && (typeof host !== 'string' || host.length === 0)) throw invalid('metrics.host must be a non-empty string');
  if (host !== undefined && port === undefined) throw invalid('metrics.host needs metrics.port: without a port of its own, /metrics is on the server\'s');
  if (registry !== undefined && !(registry instanceof promClient().Registry)) throw invalid('metrics.registry must be a prom-client Registry');
  return { port, host: host ?? '127.0.0.1', registry };
}

function invalid(message: string): TypeError {
  return invalidArgumentError(`createComputeServer: ${message}`);
}
