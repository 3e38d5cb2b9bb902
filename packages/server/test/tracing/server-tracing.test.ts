import { registerTestTracing, type PlainSpan } from '@hybridcompute/test-support/tracing';
import { once } from 'node:events';
import { createWorkerBackend, type WorkerBackend } from '@hybridcompute/backend-worker';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '../../src/index.js';
import { send } from '../http-client.js';

const tracing = registerTestTracing();
let worker: WorkerBackend;
let server: ComputeServer;
let url: string;

beforeAll(async () => {
  worker = createWorkerBackend({ url: new URL('../fixtures/traced-worker.mjs', import.meta.url), size: 1 });
  await worker.ready();
  server = createComputeServer({ backend: worker });
  ({ url } = await server.listen(0, '127.0.0.1'));
});
afterAll(async () => {
  await server.close();
  await worker.close();
  await tracing.dispose();
});
beforeEach(() => tracing.reset());

/** Runs `send` inside a client span and hands it the span's W3C headers. */
async function fromClientSpan<T>(send: (headers: Record<string, string>) => Promise<T>): Promise<{ value: T; client: PlainSpan }> {
  const span = tracing.tracer.startSpan('client', { kind: SpanKind.CLIENT });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  const value = await send(headers);
  span.end();
  return { value, client: tracing.localSpans().find((candidate) => candidate.name === 'client')! };
}

/** The server's spans for one call, once the worker's span has arrived too. */
async function spansOf(taskName: string): Promise<{ handling: PlainSpan; run: PlainSpan; workerRun: PlainSpan }> {
  const [workerRun] = await tracing.threadSpans((span) => span.name === `hybridcompute/${taskName} run`);
  const local = tracing.localSpans();
  return {
    handling: local.find((span) => span.name === `hybridcompute/${taskName}` && span.kind === SpanKind.SERVER)!,
    run: local.find((span) => span.name === `run ${taskName}`)!,
    workerRun: workerRun!,
  };
}

describe('server tracing', () => {
  it('continues the trace of a traceparent header: server span, task run span, then the worker thread', async () => {
    const { value, client } = await fromClientSpan((headers) => send(url, { body: JSON.stringify({ task: 'double', input: 21 }), headers }));
    expect(value.json).toEqual({ result: 42 });
    const { handling, run, workerRun } = await spansOf('double');
    expect(handling.traceId).toBe(client.traceId);
    expect(handling.parentSpanId).toBe(client.spanId);
    expect(handling.attributes).toMatchObject({ 'rpc.system': 'hybridcompute', 'rpc.method': 'double', 'network.protocol.name': 'http', 'hybridcompute.outcome': 'OK' });
    expect(run.parentSpanId).toBe(handling.spanId);
    expect(workerRun.traceId).toBe(client.traceId);
    expect(workerRun.parentSpanId).toBe(run.spanId);
  });

  it('continues the trace of a WebSocket call frame that carries traceparent', async () => {
    const socket = new WebSocket(url.replace('http', 'ws'));
    await once(socket, 'open');
    const { value, client } = await fromClientSpan(async (headers) => {
      socket.send(JSON.stringify({ id: 7, task: 'double', input: 4, ...headers }));
      const [data] = (await once(socket, 'message')) as [Buffer];
      return JSON.parse(data.toString()) as unknown;
    });
    socket.close();
    expect(value).toEqual({ id: 7, result: 8 });
    const { handling, run, workerRun } = await spansOf('double');
    expect(handling.parentSpanId).toBe(client.spanId);
    expect(handling.attributes['network.protocol.name']).toBe('websocket');
    expect(run.parentSpanId).toBe(handling.spanId);
    expect(workerRun.parentSpanId).toBe(run.spanId);
    expect(new Set([handling.traceId, run.traceId, workerRun.traceId])).toEqual(new Set([client.traceId]));
  });

  it('starts a trace of its own for a call without trace context', async () => {
    expect((await send(url, { body: JSON.stringify({ task: 'double', input: 1 }) })).json).toEqual({ result: 2 });
    const { handling, workerRun } = await spansOf('double');
    expect(handling.parentSpanId).toBeUndefined();
    expect(workerRun.traceId).toBe(handling.traceId);
  });

  it("marks a refused call's span with its code and status ERROR", async () => {
    const answer = await send(url, { body: JSON.stringify({ task: 'noSuchTask' }) });
    expect(answer.json.code).toBe('TASK_NOT_FOUND');
    const handling = tracing.localSpans().find((span) => span.name === 'hybridcompute/noSuchTask')!;
    expect(handling.status.code).toBe(SpanStatusCode.ERROR);
    expect(handling.attributes).toMatchObject({ 'hybridcompute.outcome': 'TASK_NOT_FOUND', 'error.type': 'TASK_NOT_FOUND' });
  });

  it('ignores a malformed traceparent: the call runs, in a trace of its own', async () => {
    const answer = await send(url, { body: JSON.stringify({ task: 'double', input: 3 }), headers: { traceparent: 'not a trace context' } });
    expect(answer.json).toEqual({ result: 6 });
    const { handling } = await spansOf('double');
    expect(handling.parentSpanId).toBeUndefined();
  });

  it('lets browsers send traceparent and tracestate cross-origin: the preflight allows them', async () => {
    const corsServer = createComputeServer({ tasks: [defineTask('double', (n: number) => n * 2)], corsOrigins: ['http://app.example'] });
    const { url: corsUrl } = await corsServer.listen(0, '127.0.0.1');
    try {
      const preflight = await send(corsUrl, {
        method: 'OPTIONS',
        headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, traceparent, tracestate' },
      });
      expect(preflight.status).toBe(204);
      const allowed = String(preflight.headers['access-control-allow-headers']).split(', ');
      expect(allowed).toEqual(expect.arrayContaining(['traceparent', 'tracestate']));
    } finally {
      await corsServer.close();
    }
  });
});
