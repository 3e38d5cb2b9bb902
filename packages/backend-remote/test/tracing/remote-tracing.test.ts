import { createWorkerBackend, type WorkerBackend } from '@hybridcompute/backend-worker';
import { createHybridCompute } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { registerTestTracing } from '@hybridcompute/test-support/tracing';
import { context, createTraceState, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

for (const transport of ['http', 'websocket'] as const) {
  describe(`tracing over ${transport}`, () => {
    it('carries one trace from the caller through the router, the server and its worker thread, each span the child of the one before', async () => {
      const remote = createRemoteBackend({ endpoint: url, transport });
      const compute = createHybridCompute({ remote }, { tracer: tracing.tracer });
      try {
        const result = await tracing.tracer.startActiveSpan('caller', async (caller) => {
          const value = await compute.runTask('double', 21);
          caller.end();
          return value;
        });
        expect(result).toBe(42);
        const [workerRun] = await tracing.threadSpans((span) => span.name === 'hybridcompute/double run');
        const local = tracing.localSpans();
        const named = (name: string, kind: SpanKind) => local.find((span) => span.name === name && span.kind === kind)!;
        const caller = named('caller', SpanKind.INTERNAL);
        const call = named('compute double', SpanKind.INTERNAL);
        const attempt = named('hybridcompute/double', SpanKind.CLIENT);
        const handling = named('hybridcompute/double', SpanKind.SERVER);
        const run = named('run double', SpanKind.INTERNAL);
        const chain = [caller, call, attempt, handling, run, workerRun!];
        expect(new Set(chain.map((span) => span.traceId)).size).toBe(1);
        for (let index = 1; index < chain.length; index++) expect(chain[index]!.parentSpanId, chain[index]!.name).toBe(chain[index - 1]!.spanId);
        expect(attempt.attributes['hybridcompute.backend']).toBe('remote');
        expect(handling.attributes['network.protocol.name']).toBe(transport);
      } finally {
        await compute.close();
      }
    });

    it("carries the caller's tracestate beside traceparent", async () => {
      const remote = createRemoteBackend({ endpoint: url, transport });
      const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, traceState: createTraceState('vendor=opaque,other=1') };
      try {
        expect(await context.with(trace.setSpanContext(context.active(), parent), () => remote.runTask('double', 5))).toBe(10);
        const [workerRun] = await tracing.threadSpans((span) => span.name === 'hybridcompute/double run');
        const handling = tracing.localSpans().find((span) => span.kind === SpanKind.SERVER)!;
        expect(handling).toMatchObject({ traceId: parent.traceId, parentSpanId: parent.spanId, traceState: 'vendor=opaque,other=1' });
        expect(workerRun!.traceState).toBe('vendor=opaque,other=1');
      } finally {
        await remote.close();
      }
    });

    it("carries the caller's trace context on calls that report progress and on streams", async () => {
      const remote = createRemoteBackend({ endpoint: url, transport });
      const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
      const progress: unknown[] = [];
      try {
        const { doubled, counted } = await context.with(trace.setSpanContext(context.active(), parent), async () => {
          const value = await remote.runTask('doubleReporting', 4, { onProgress: (reported) => progress.push(reported) });
          const chunks: unknown[] = [];
          for await (const chunk of remote.streamTask('countTo', 3)) chunks.push(chunk);
          return { doubled: value, counted: chunks };
        });
        expect(doubled).toBe(8);
        expect(progress).toEqual([4]);
        expect(counted).toEqual([1, 2, 3]);
        const workerRuns = await tracing.threadSpans((span) => span.name === 'hybridcompute/doubleReporting run' || span.name === 'hybridcompute/countTo run', 2);
        const handlings = tracing.localSpans().filter((span) => span.kind === SpanKind.SERVER);
        expect(handlings.map((span) => span.name).sort()).toEqual(['hybridcompute/countTo', 'hybridcompute/doubleReporting']);
        for (const handling of handlings) expect(handling, handling.name).toMatchObject({ traceId: parent.traceId, parentSpanId: parent.spanId });
        for (const run of workerRuns) expect(run.traceId, run.name).toBe(parent.traceId);
      } finally {
        await remote.close();
      }
    });

    it('sends no trace context when no span is active: the server starts its own trace', async () => {
      const remote = createRemoteBackend({ endpoint: url, transport });
      try {
        expect(await remote.runTask('double', 2)).toBe(4);
        const [workerRun] = await tracing.threadSpans((span) => span.name === 'hybridcompute/double run');
        const handling = tracing.localSpans().find((span) => span.kind === SpanKind.SERVER)!;
        expect(handling.parentSpanId).toBeUndefined();
        expect(workerRun!.traceId).toBe(handling.traceId);
      } finally {
        await remote.close();
      }
    });
  });
}
