import { createLocalBackend } from '@hybridcompute/backend-local';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createWorkerBackend, type WorkerBackend } from '@hybridcompute/backend-worker';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';
import { registerTestTracing, type PlainSpan } from '@hybridcompute/test-support/tracing';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createBullmqBackend } from '../../src/create-bullmq-backend.js';
import { createBullmqWorker } from '../../src/create-bullmq-worker.js';
import { uniqueQueueName } from '../queue-name.js';

const redisUrl = inject('redisUrl');
const tracing = registerTestTracing();
let threads: WorkerBackend;

beforeAll(async () => {
  threads = createWorkerBackend({ url: new URL('../fixtures/traced-worker.mjs', import.meta.url), size: 1 });
  await threads.ready();
});
afterAll(async () => {
  await threads.close();
  await tracing.dispose();
});
beforeEach(() => tracing.reset());

const local = createLocalBackend({
  tasks: [
    defineTask('double', (n: number) => n * 2),
    defineTask('fail', () => {
      throw new Error('the task broke');
    }),
    // Whether the job ran inside a span (the consumer's), and which.
    defineTask('activeSpan', () => trace.getActiveSpan()?.spanContext().spanId ?? null),
  ],
});

function expectChain(chain: PlainSpan[]): void {
  expect(new Set(chain.map((span) => span.traceId)).size).toBe(1);
  for (let index = 1; index < chain.length; index++) expect(chain[index]!.parentSpanId, `parent of ${chain[index]!.name}`).toBe(chain[index - 1]!.spanId);
}

describe('tracing through a BullMQ queue', () => {
  it("enqueues in a producer span, writes its trace context into the job's data, and processes the job in a consumer span, its child", async () => {
    const queue = uniqueQueueName('trace');
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend: local });
    const queued = createBullmqBackend({ connection: redisUrl, queue, timeout: 10_000, jobOptions: { removeOnComplete: false } });
    const compute = createHybridCompute({ queued }, { tracer: tracing.tracer });
    try {
      await worker.waitUntilReady();
      const spanIdInTask = await tracing.tracer.startActiveSpan('caller', async (caller) => {
        const value = await compute.runTask('activeSpan', undefined);
        caller.end();
        return value;
      });
      const spans = tracing.localSpans();
      const named = (name: string, kind: SpanKind) => spans.find((span) => span.name === name && span.kind === kind)!;
      const send = named(`send ${queue}`, SpanKind.PRODUCER);
      const process = named(`process ${queue}`, SpanKind.CONSUMER);
      expectChain([named('caller', SpanKind.INTERNAL), named('compute activeSpan', SpanKind.INTERNAL), named('hybridcompute/activeSpan', SpanKind.CLIENT), send, process]);
      expect(spanIdInTask).toBe(process.spanId);
      expect(send.attributes).toMatchObject({ 'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'messaging.operation.type': 'send', 'hybridcompute.outcome': 'OK' });
      expect(process.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'messaging.message.id': send.attributes['messaging.message.id'], 'hybridcompute.outcome': 'OK' });
      const [job] = await queued.queue.getJobs(['completed']);
      expect(job!.data.traceparent).toBe(`00-${send.traceId}-${send.spanId}-01`);
    } finally {
      await compute.close();
      await worker.close();
    }
  });

  it('adds no trace context to the job without an active span, and the job runs in no span', async () => {
    const queue = uniqueQueueName('untraced');
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend: local });
    const queued = createBullmqBackend({ connection: redisUrl, queue, timeout: 10_000, jobOptions: { removeOnComplete: false } });
    try {
      await worker.waitUntilReady();
      expect(await queued.runTask('activeSpan', undefined)).toBeNull();
      const [job] = await queued.queue.getJobs(['completed']);
      expect(Object.keys(job!.data).sort()).toEqual(['deadline', 'encoded']);
      expect(tracing.localSpans()).toEqual([]);
    } finally {
      await queued.close();
      await worker.close();
    }
  });

  it("marks a failed job's consumer span with the call's code and status ERROR", async () => {
    const queue = uniqueQueueName('trace-fail');
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend: local });
    const queued = createBullmqBackend({ connection: redisUrl, queue, timeout: 10_000 });
    try {
      await worker.waitUntilReady();
      await tracing.tracer.startActiveSpan('caller', async (caller) => {
        await expect(queued.runTask('fail', undefined)).rejects.toMatchObject({ code: 'TASK_FAILED' });
        caller.end();
      });
      const process = tracing.localSpans().find((span) => span.kind === SpanKind.CONSUMER)!;
      expect(process.status.code).toBe(SpanStatusCode.ERROR);
      expect(process.attributes['hybridcompute.outcome']).toBe('TASK_FAILED');
    } finally {
      await queued.close();
      await worker.close();
    }
  });

  for (const transport of ['http', 'websocket'] as const) {
    it(`carries one trace from the caller through the router, a server (${transport}), a queue and a worker thread`, async () => {
      const queue = uniqueQueueName('trace-all');
      const worker = createBullmqWorker({ connection: redisUrl, queue, backend: threads });
      const queued = createBullmqBackend({ connection: redisUrl, queue, timeout: 10_000 });
      const server = createComputeServer({ backend: queued, taskNames: ['double'] });
      const { url } = await server.listen(0, '127.0.0.1');
      const compute = createHybridCompute({ remote: createRemoteBackend({ endpoint: url, transport }) }, { tracer: tracing.tracer });
      try {
        await worker.waitUntilReady();
        const result = await tracing.tracer.startActiveSpan('caller', async (caller) => {
          const value = await compute.runTask('double', 21);
          caller.end();
          return value;
        });
        expect(result).toBe(42);
        const [workerRun] = await tracing.threadSpans((span) => span.name === 'hybridcompute/double run');
        const spans = tracing.localSpans();
        const named = (name: string, kind: SpanKind) => spans.find((span) => span.name === name && span.kind === kind)!;
        expectChain([
          named('caller', SpanKind.INTERNAL),
          named('compute double', SpanKind.INTERNAL),
          named('hybridcompute/double', SpanKind.CLIENT),
          named('hybridcompute/double', SpanKind.SERVER),
          named('run double', SpanKind.INTERNAL),
          named(`send ${queue}`, SpanKind.PRODUCER),
          named(`process ${queue}`, SpanKind.CONSUMER),
          workerRun!,
        ]);
      } finally {
        await compute.close();
        await server.close();
        await queued.close();
        await worker.close();
      }
    });
  }
});
