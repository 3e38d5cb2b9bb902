import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, registerComputeMetrics, type ComputeServer, type ComputeServerOptions } from '../src/index.js';
import { fixture } from './cli-process.js';
import { closeClient, post, send } from './http-client.js';
import { parsePrometheusText } from './prometheus-text.js';

const double = defineTask('double', (n: number) => n * 2);
const fail = defineTask('fail', (message: string): never => {
  throw new RangeError(message);
});
let releaseHeld: (() => void) | undefined;
const held = defineTask('held', () => new Promise<string>((resolve) => (releaseHeld = () => resolve('released'))));

const servers: ComputeServer[] = [];
afterEach(async () => {
  releaseHeld?.();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(closeClient);

async function start(options: Partial<ComputeServerOptions>): Promise<{ url: string; metricsUrl: string | undefined; server: ComputeServer }> {
  const server = createComputeServer({ tasks: [double, fail, held], ...options } as ComputeServerOptions);
  servers.push(server);
  const { url, metricsUrl } = await server.listen(0);
  return { url, metricsUrl, server };
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const answer = await send(url, { method: 'GET', headers });
  expect(answer.status, answer.text).toBe(200);
  expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(answer.text);
}

describe('GET /metrics', () => {
  it('is not served unless asked for', async () => {
    const { url } = await start({});
    expect((await send(url.replace(/compute$/, 'metrics'), { method: 'GET' })).status).toBe(404);
  });

  it('counts calls by task and outcome code, with durations, and the process default metrics', async () => {
    const { url, metricsUrl } = await start({ metrics: true });
    expect(metricsUrl).toBe(url.replace(/compute$/, 'metrics'));
    for (const input of [1, 2, 3]) expect(await post(url, { task: 'double', input })).toMatchObject({ status: 200 });
    expect(await post(url, { task: 'fail', input: 'no' })).toMatchObject({ status: 422 });
    expect(await post(url, { task: 'made-up-name-1', input: 1 })).toMatchObject({ status: 404 });
    expect(await post(url, { task: 'made-up-name-2', input: 1 })).toMatchObject({ status: 404 });
    const samples = await scrape(metricsUrl!);
    expect(samples.get('hybridcompute_server_calls_total{code="OK",task="double"}')).toBe(3);
    expect(samples.get('hybridcompute_server_calls_total{code="TASK_FAILED",task="fail"}')).toBe(1);
    // Names the server does not run share one label: callers cannot mint series.
    expect(samples.get('hybridcompute_server_calls_total{code="TASK_NOT_FOUND",task="(unknown)"}')).toBe(2);
    expect([...samples.keys()].some((key) => key.includes('made-up-name'))).toBe(false);
    expect(samples.get('hybridcompute_server_call_duration_seconds_count{code="OK",task="double"}')).toBe(3);
    expect(samples.get('hybridcompute_server_call_duration_seconds_bucket{code="OK",le="+Inf",task="double"}')).toBe(3);
    expect(samples.get('hybridcompute_server_call_duration_seconds_sum{code="OK",task="double"}')).toBeGreaterThan(0);
    expect(samples.get('hybridcompute_server_calls_in_flight')).toBe(0);
    expect(samples.has('process_cpu_user_seconds_total')).toBe(true);
    expect(samples.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('reports calls in flight, open connections and WebSockets at the moment of the scrape', async () => {
    const { url, metricsUrl } = await start({ metrics: true });
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    await once(socket, 'open');
    socket.send(JSON.stringify({ id: 1, task: 'held', input: null }));
    const answered = once(socket, 'message');
    await expect.poll(async () => (await scrape(metricsUrl!)).get('hybridcompute_server_calls_in_flight')).toBe(1);
    const during = await scrape(metricsUrl!);
    expect(during.get('hybridcompute_server_websocket_connections')).toBe(1);
    expect(during.get('hybridcompute_server_open_connections')).toBeGreaterThanOrEqual(2);
    releaseHeld?.();
    const [frame] = (await answered) as [Buffer];
    expect(JSON.parse(frame.toString())).toEqual({ id: 1, result: 'released' });
    socket.close();
    await once(socket, 'close');
    await expect.poll(async () => (await scrape(metricsUrl!)).get('hybridcompute_server_websocket_connections')).toBe(0);
    const after = await scrape(metricsUrl!);
    expect(after.get('hybridcompute_server_calls_in_flight')).toBe(0);
    expect(after.get('hybridcompute_server_calls_total{code="OK",task="held"}')).toBe(1);
  });

  it('asks for the token when one is set', async () => {
    const { metricsUrl } = await start({ metrics: true, token: 'sesame' });
    expect((await send(metricsUrl!, { method: 'GET' })).status).toBe(401);
    expect((await send(metricsUrl!, { method: 'GET', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await scrape(metricsUrl!, { authorization: 'Bearer sesame' })).has('hybridcompute_server_calls_in_flight')).toBe(true);
    expect((await send(metricsUrl!, { method: 'POST', headers: { authorization: 'Bearer sesame' } })).status).toBe(405);
  });

  it('serves on a port of its own, and then not on the calls\' port', async () => {
    const { url, metricsUrl } = await start({ metrics: { port: 0 } });
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(metricsUrl!).port).not.toBe(new URL(url).port);
    await post(url, { task: 'double', input: 1 });
    expect((await scrape(metricsUrl!)).get('hybridcompute_server_calls_total{code="OK",task="double"}')).toBe(1);
    expect((await send(url.replace(/compute$/, 'metrics'), { method: 'GET' })).status).toBe(404);
    expect((await send(metricsUrl!.replace(/metrics$/, 'other'), { method: 'GET' })).status).toBe(404);
  });

  it('registers with a registry of the caller\'s, without default metrics', async () => {
    const registry = new Registry();
    const { url, server } = await start({ metrics: { registry } });
    expect(server.metricsRegistry).toBe(registry);
    await post(url, { task: 'double', input: 1 });
    const samples = parsePrometheusText(await registry.metrics());
    expect(samples.get('hybridcompute_server_calls_total{code="OK",task="double"}')).toBe(1);
    expect(samples.has('process_cpu_user_seconds_total')).toBe(false);
  });

  it('reports the queue of a worker pool it serves', async () => {
    // A gate the pool's tasks wait on, so the test decides when they finish.
    const waiting: ServerResponse[] = [];
    const gate = createServer((_request: IncomingMessage, response: ServerResponse) => void waiting.push(response));
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
    const pool = createWorkerBackend({
      url: new URL('../dist/cli-worker.js', import.meta.url),
      size: 1,
      concurrentTasksPerWorker: 1,
      workerOptions: { workerData: { tasksModule: new URL(`file://${fixture('worker-tasks.mjs')}`).href } },
    });
    try {
      await pool.ready();
      const { url, metricsUrl } = await start({ tasks: undefined, backend: pool, metrics: true });
      const calls = [1, 2, 3].map(() => post(url, { task: 'threadAfterGate', input: { gate: gateUrl } }));
      await expect.poll(async () => (await scrape(metricsUrl!)).get('hybridcompute_server_queue_depth')).toBe(2);
      expect((await scrape(metricsUrl!)).get('hybridcompute_server_calls_in_flight')).toBe(3);
      // Let every call through, one by one as each reaches the gate.
      const release = setInterval(() => waiting.splice(0).forEach((response) => response.end('go')), 5);
      const answers = await Promise.all(calls);
      clearInterval(release);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect((await scrape(metricsUrl!)).get('hybridcompute_server_queue_depth')).toBe(0);
    } finally {
      await pool.close();
      gate.closeAllConnections();
      gate.close();
    }
  });

  it('refuses bad metrics options with INVALID_REQUEST', () => {
    for (const metrics of ['yes', { port: -1 }, { port: 70_000 }, { host: '0.0.0.0' }, { registry: {} }]) {
      expect(() => createComputeServer({ tasks: [double], metrics: metrics as never }), JSON.stringify(metrics)).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(/metrics/) }),
      );
    }
  });
});

describe('registerComputeMetrics', () => {
  it("registers a router's and a worker pool's stats() with the caller's registry", async () => {
    const pool = createWorkerBackend({
      url: new URL('../dist/cli-worker.js', import.meta.url),
      size: 2,
      workerOptions: { workerData: { tasksModule: new URL(`file://${fixture('worker-tasks.mjs')}`).href } },
    });
    const compute = createHybridCompute({ local: createLocalBackend({ tasks: [double] }), worker: pool });
    try {
      await pool.ready();
      const registry = new Registry();
      registerComputeMetrics(registry, { router: compute, pool });
      await compute.runTask('double', 4, { strategy: 'local' });
      await compute.runTask('double', 5, { strategy: 'worker' });
      await expect(compute.runTask('fail', 'boom', { strategy: 'worker' })).rejects.toThrow('boom');
      const samples = parsePrometheusText(await registry.metrics());
      expect(samples.get('hybridcompute_router_calls_total{backend="local"}')).toBe(1);
      expect(samples.get('hybridcompute_router_calls_total{backend="worker"}')).toBe(2);
      expect(samples.get('hybridcompute_router_failures_total{backend="worker"}')).toBe(1);
      expect(samples.get('hybridcompute_router_calls_in_flight{backend="worker"}')).toBe(0);
      // 2 workers × concurrentTasksPerWorker's default 8.
      expect(samples.get('hybridcompute_router_backend_capacity{backend="worker"}')).toBe(16);
      expect(samples.get('hybridcompute_worker_pool_workers')).toBe(2);
      expect(samples.get('hybridcompute_worker_pool_queue_depth')).toBe(0);
      expect(samples.get('hybridcompute_worker_pool_calls_total{outcome="completed"}')).toBe(1);
      expect(samples.get('hybridcompute_worker_pool_calls_total{outcome="failed"}')).toBe(1);
      expect(samples.get('hybridcompute_worker_pool_run_seconds{quantile="0.99"}')).toBeGreaterThan(0);
    } finally {
      await compute.close();
    }
  });

  it('refuses a registry that already has them, as createComputeServer does for a second server', () => {
    const registry = new Registry();
    createComputeServer({ tasks: [double], metrics: { registry } });
    expect(() => createComputeServer({ tasks: [double], metrics: { registry } })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(/its own registry/) }));
    const router = createHybridCompute({ local: createLocalBackend({ tasks: [double] }) });
    registerComputeMetrics(registry, { router });
    expect(() => registerComputeMetrics(registry, { router })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(/registry of its own/) }));
  });

  it('refuses what is not a registry or a stats() source', () => {
    expect(() => registerComputeMetrics({} as never, {})).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => registerComputeMetrics(new Registry(), { pool: {} as never })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(/pool/) }));
  });
});

