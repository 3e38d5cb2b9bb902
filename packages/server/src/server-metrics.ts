import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter, Histogram, Registry } from 'prom-client';
import { invalidArgumentError } from '@hybridcompute/core';
import { promClient } from './load-prom-client.js';
import type { MetricsSettings } from './metrics-options.js';
import type { EndedCall } from './observed-call-runner.js';

/** What the server's gauges read when scraped: nothing is counted per call for them. */
export interface ServerMetricSources {
  activeCalls(): number;
  /** Calls waiting in the backend (a worker pool's queue); 0 for one that does not queue. */
  queuedCalls(): number;
  openConnections(): number;
  openWebSockets(): number;
  /** Whether the backend runs the task: unknown names share one label value, so callers cannot mint series. */
  knows(taskName: string): boolean;
}

/** The label value of every task name the server does not run. */
export const unknownTaskLabel = '(unknown)';

// Compute calls take from well under a millisecond to minutes.
const durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The server's Prometheus metrics: calls by task and outcome code, their
 * durations, calls in flight, the backend's queue, open connections and
 * WebSockets, and (in a registry of its own) the process's default metrics.
 */
export class ServerMetrics {
  readonly registry: Registry;
  readonly #calls: Counter<'task' | 'code'>;
  readonly #durations: Histogram<'task' | 'code'>;
  readonly #sources: ServerMetricSources;

  constructor(settings: MetricsSettings, sources: ServerMetricSources) {
    this.#sources = sources;
    const { collectDefaultMetrics, Counter, Histogram, Registry } = promClient();
    const registry = settings.registry ?? new Registry();
    if (settings.registry === undefined) collectDefaultMetrics({ register: registry });
    this.registry = registry;
    const registers = [registry];
    this.#calls = new Counter({
      name: 'hybridcompute_server_calls_total',
      help: 'Calls answered, by task and outcome code (OK or the ComputeError code)',
      labelNames: ['task', 'code'],
      registers,
    });
    this.#durations = new Histogram({
      name: 'hybridcompute_server_call_duration_seconds',
      help: 'Time from admission to outcome of a call, by task and outcome code',
      labelNames: ['task', 'code'],
      buckets: durationBuckets,
      registers,
    });
    gauge(registry, 'hybridcompute_server_calls_in_flight', 'Calls running now', () => sources.activeCalls());
    gauge(registry, 'hybridcompute_server_queue_depth', "Calls waiting in the backend's queue (a worker pool's)", () => sources.queuedCalls());
    gauge(registry, 'hybridcompute_server_open_connections', 'Connections open now, HTTP and WebSocket', () => sources.openConnections());
    gauge(registry, 'hybridcompute_server_websocket_connections', 'WebSockets open now', () => sources.openWebSockets());
  }

  /** Counts one settled call. */
  record(call: EndedCall): void {
    // A call that ran names a task the server has; only refusals can carry a name it does not.
    const task = call.code === 'OK' || this.#sources.knows(call.task) ? call.task : unknownTaskLabel;
    const labels = { task, code: call.code };
    this.#calls.inc(labels);
    this.#durations.observe(labels, call.durationMs / 1000);
  }

  /** Answers a scrape. */
  async answer(_request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text: string;
    try {
      text = await this.registry.metrics();
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`metrics could not be collected: ${(error as Error).message}\n`);
      return;
    }
    response.writeHead(200, { 'content-type': this.registry.contentType, 'content-length': Buffer.byteLength(text) });
    response.end(text);
  }
}

/**
 * A {@link ServerMetrics}, or an `INVALID_REQUEST` TypeError when the
 * registry given already holds the server's metrics (prom-client refuses a
 * name twice): two servers in one process need a registry each.
 */
export function createServerMetrics(settings: MetricsSettings, sources: ServerMetricSources): ServerMetrics {
  try {
    return new ServerMetrics(settings, sources);
  } catch (error) {
    if (settings.registry !== undefined && /already been registered/.test((error as Error).message)) {
      throw invalidArgumentError('createComputeServer: metrics.registry already holds hybridcompute_server_* metrics (another server registered them): give each server its own registry');
    }
    throw error;
  }
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new (promClient().Gauge)({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
