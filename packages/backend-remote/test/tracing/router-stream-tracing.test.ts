import { createWorkerBackend, type WorkerBackend } from '@hybridcompute/backend-worker';
import { createHybridCompute } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { registerTestTracing } from '@hybridcompute/test-support/tracing';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createRemoteBackend } from '../../src/index.js';

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

it.each(['http', 'websocket'] as const)("carries a router's streamTask over %s in one trace: caller, call, attempt, the server's handling, the worker thread's run", async (transport) => {
  const compute = createHybridCompute({ remote: createRemoteBackend({ endpoint: url, transport }) }, { tracer: tracing.tracer });
  try {
    const chunks = await tracing.tracer.startActiveSpan('caller', async (caller) => {
      const received: unknown[] = [];
      for await (const chunk of compute.streamTask('countTo', 3)) received.push(chunk);
      caller.end();
      return received;
    });
    const [workerRun] = await tracing.threadSpans((span) => span.name === 'hybridcompute/countTo run');
    const local = tracing.localSpans();
    const named = (name: string, kind: SpanKind) => local.find((span) => span.name === name && span.kind === kind)!;
    const chain = [
      named('caller', SpanKind.INTERNAL),
      named('compute countTo', SpanKind.INTERNAL),
      named('hybridcompute/countTo', SpanKind.CLIENT),
      named('hybridcompute/countTo', SpanKind.SERVER),
      workerRun!,
    ];
    expect(new Set(chain.map((span) => span.traceId)).size).toBe(1);
    for (let index = 1; index < chain.length; index++) expect(chain[index]!.parentSpanId, chain[index]!.name).toBe(chain[index - 1]!.spanId);
    expect(chain[2]!.attributes).toMatchObject({ 'hybridcompute.backend': 'remote', 'hybridcompute.outcome': 'OK' });
    expect(chunks).toEqual([1, 2, 3]);
  } finally {
    await compute.close();
  }
});
