import { createHybridCompute } from '@hybridcompute/core';
import { registerTestTracing } from '@hybridcompute/test-support/tracing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerBackend, type WorkerBackend } from '../../src/node/index.js';

const tracing = registerTestTracing();
let worker: WorkerBackend;

beforeAll(async () => {
  worker = createWorkerBackend({ url: new URL('../fixtures/traced-worker.mjs', import.meta.url), size: 2 });
  await worker.ready();
});
afterAll(async () => {
  await worker.close();
  await tracing.dispose();
});
beforeEach(() => tracing.reset());

describe('tracing across a worker thread', () => {
  it("runs the task in a server span in the worker, the child of the router's attempt, in the caller's trace", async () => {
    const compute = createHybridCompute({ worker }, { tracer: tracing.tracer });
    const { result, callerTraceId } = await tracing.tracer.startActiveSpan('caller', async (caller) => {
      const value = await compute.runTask('double', 21);
      caller.end();
      return { result: value, callerTraceId: caller.spanContext().traceId };
    });
    expect(result).toBe(42);
    const [run] = await tracing.threadSpans((span) => span.name === 'hybridcompute/double run');
    const local = tracing.localSpans();
    const attempt = local.find((span) => span.name === 'hybridcompute/double')!;
    const call = local.find((span) => span.name === 'compute double')!;
    const caller = local.find((span) => span.name === 'caller')!;
    expect(new Set([caller.traceId, call.traceId, attempt.traceId, run!.traceId])).toEqual(new Set([callerTraceId]));
    expect(call.parentSpanId).toBe(caller.spanId);
    expect(attempt.parentSpanId).toBe(call.spanId);
    expect(run!.parentSpanId).toBe(attempt.spanId);
    expect(run!.kind).toBe(SpanKind.SERVER);
    expect(run!.attributes).toMatchObject({ 'rpc.system': 'hybridcompute', 'rpc.method': 'double', 'hybridcompute.outcome': 'OK' });
  });

  it("makes the worker's span the task's active span, so the task's own spans join the trace", async () => {
    const seen = await tracing.tracer.startActiveSpan('caller', async (caller) => {
      const value = (await worker.runTask('activeSpan', undefined)) as { traceId: string; spanId: string };
      caller.end();
      return { value, caller: caller.spanContext() };
    });
    expect(seen.value.traceId).toBe(seen.caller.traceId);
    const [run] = await tracing.threadSpans((span) => span.name === 'hybridcompute/activeSpan run');
    expect(run!.spanId).toBe(seen.value.spanId);
    // Without a router the backend carries the caller's own span.
    expect(run!.parentSpanId).toBe(seen.caller.spanId);
  });

  it('carries the trace context of a call that reports progress, and of a stream, into the worker', async () => {
    const progress: unknown[] = [];
    const seen = await tracing.tracer.startActiveSpan('caller', async (caller) => {
      const reporting = (await worker.runTask('activeSpanReporting', undefined, { onProgress: (value) => progress.push(value) })) as { traceId: string; spanId: string };
      const streamed: unknown[] = [];
      for await (const chunk of worker.streamTask('activeSpanStream', undefined)) streamed.push(chunk);
      caller.end();
      return { reporting, streamed: streamed[0] as { traceId: string; spanId: string }, caller: caller.spanContext() };
    });
    expect(progress).toEqual([1]);
    const runs = await tracing.threadSpans((span) => span.name === 'hybridcompute/activeSpanReporting run' || span.name === 'hybridcompute/activeSpanStream run', 2);
    const runOf = (task: string) => runs.find((span) => span.name === `hybridcompute/${task} run`)!;
    expect(seen.reporting).toEqual({ traceId: seen.caller.traceId, spanId: runOf('activeSpanReporting').spanId });
    expect(seen.streamed).toEqual({ traceId: seen.caller.traceId, spanId: runOf('activeSpanStream').spanId });
    for (const run of runs) expect(run.parentSpanId).toBe(seen.caller.spanId);
  });

  it('sends no trace context when no span is active: the task sees none', async () => {
    expect(await worker.runTask('activeSpan', undefined)).toBeNull();
  });

  it('keeps each of many concurrent traced calls under its own attempt (traced calls are sent alone, not batched)', async () => {
    const compute = createHybridCompute({ worker }, { tracer: tracing.tracer });
    const results = await tracing.tracer.startActiveSpan('caller', async (caller) => {
      const values = await Promise.all(Array.from({ length: 40 }, (_, n) => compute.runTask(n % 2 === 0 ? 'double' : 'slowDouble', n)));
      caller.end();
      return values;
    });
    expect(results).toEqual(Array.from({ length: 40 }, (_, n) => n * 2));
    const runs = await tracing.threadSpans((span) => span.name.endsWith(' run'), 40);
    const attempts = new Set(tracing.localSpans().filter((span) => span.kind === SpanKind.CLIENT).map((span) => span.spanId));
    expect(attempts.size).toBe(40);
    expect(new Set(runs.map((run) => run.parentSpanId))).toEqual(attempts);
  });

  it("marks a failed task's worker span with TASK_FAILED and status ERROR", async () => {
    await tracing.tracer.startActiveSpan('caller', async (caller) => {
      await expect(worker.runTask('fail', undefined)).rejects.toMatchObject({ code: 'TASK_FAILED' });
      caller.end();
    });
    const [run] = await tracing.threadSpans((span) => span.name === 'hybridcompute/fail run');
    expect(run!.status.code).toBe(SpanStatusCode.ERROR);
    expect(run!.attributes['hybridcompute.outcome']).toBe('TASK_FAILED');
  });
});
