import { createHybridCompute } from '@hybridcompute/core';
import { registerTestTracing } from '@hybridcompute/test-support/tracing';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createWorkerBackend, type WorkerBackend } from '../../src/node/index.js';

const tracing = registerTestTracing();
let worker: WorkerBackend;

beforeAll(async () => {
  worker = createWorkerBackend({ url: new URL('../fixtures/traced-worker.mjs', import.meta.url), size: 1 });
  await worker.ready();
});
afterAll(async () => {
  await worker.close();
  await tracing.dispose();
});
beforeEach(() => tracing.reset());

it("traces a router's streamTask into a worker thread: caller, call, attempt, then the worker's run, in one trace", async () => {
  const compute = createHybridCompute({ worker }, { tracer: tracing.tracer });
  const { chunks, callerIds } = await tracing.tracer.startActiveSpan('caller', async (caller) => {
    const received: unknown[] = [];
    for await (const chunk of compute.streamTask('activeSpanStream', undefined)) received.push(chunk);
    caller.end();
    return { chunks: received, callerIds: caller.spanContext() };
  });
  const [run] = await tracing.threadSpans((span) => span.name === 'hybridcompute/activeSpanStream run');
  const local = tracing.localSpans();
  const call = local.find((span) => span.name === 'compute activeSpanStream')!;
  const attempt = local.find((span) => span.name === 'hybridcompute/activeSpanStream')!;
  expect(new Set([call.traceId, attempt.traceId, run!.traceId])).toEqual(new Set([callerIds.traceId]));
  expect(call.parentSpanId).toBe(callerIds.spanId);
  expect(attempt.parentSpanId).toBe(call.spanId);
  expect(attempt.kind).toBe(SpanKind.CLIENT);
  expect(attempt.attributes).toMatchObject({ 'hybridcompute.backend': 'worker', 'hybridcompute.outcome': 'OK' });
  expect(run!.parentSpanId).toBe(attempt.spanId);
  // The task's own active span is the worker's run span.
  expect(chunks).toEqual([{ traceId: callerIds.traceId, spanId: run!.spanId }]);
});
