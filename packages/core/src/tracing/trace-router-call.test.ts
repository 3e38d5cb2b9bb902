import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.js';
import { createHybridCompute } from '../create-hybrid-compute.js';
import type { ComputeBackendLike } from '../types.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
const tracer = provider.getTracer('core-test');

afterAll(async () => {
  context.disable();
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

/** A backend that records the span active when it is handed each call. */
function spanRecordingBackend(answer: (input: unknown) => unknown) {
  const activeSpanIds: (string | undefined)[] = [];
  const backend: ComputeBackendLike = {
    canRun: (taskName) => taskName === 'double' || taskName === 'fail',
    runTask: async (taskName, input) => {
      activeSpanIds.push(trace.getActiveSpan()?.spanContext().spanId);
      await Promise.resolve();
      if (taskName === 'fail') throw new ComputeError({ code: 'TASK_FAILED', message: 'it broke', taskName });
      return answer(input);
    },
  };
  return { backend, activeSpanIds };
}

describe('router tracing', () => {
  it('makes a call span under the caller and an attempt span under it, active when the backend starts the call', async () => {
    const { backend, activeSpanIds } = spanRecordingBackend((n) => (n as number) * 2);
    const compute = createHybridCompute({ local: backend }, { tracer });
    const result = await tracer.startActiveSpan('caller', async (caller) => {
      const value = await compute.runTask('double', 21);
      caller.end();
      return value;
    });
    expect(result).toBe(42);
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((span) => [span.name, span]));
    const caller = byName.get('caller')!;
    const call = byName.get('compute double')!;
    const attempt = byName.get('hybridcompute/double')!;
    expect(call.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(call.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(attempt.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(call.kind).toBe(SpanKind.INTERNAL);
    expect(attempt.attributes).toMatchObject({ 'rpc.system': 'hybridcompute', 'rpc.method': 'double', 'hybridcompute.backend': 'local', 'hybridcompute.outcome': 'OK' });
    expect(activeSpanIds).toEqual([attempt.spanContext().spanId]);
  });

  it('marks a failed call and its attempt with the error code and status ERROR, and still rejects with the error', async () => {
    const { backend } = spanRecordingBackend(() => undefined);
    const compute = createHybridCompute({ local: backend }, { tracer });
    await expect(compute.runTask('fail', 1)).rejects.toMatchObject({ code: 'TASK_FAILED' });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual(['compute fail', 'hybridcompute/fail']);
    for (const span of spans) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({ 'hybridcompute.outcome': 'TASK_FAILED', 'error.type': 'TASK_FAILED' });
      expect(span.events.map((event) => event.name)).toContain('exception');
    }
  });

  it('makes one attempt span per backend tried when the router falls back', async () => {
    const down: ComputeBackendLike = {
      canRun: () => true,
      runTask: () => Promise.reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'down', taskName: 'double' })),
    };
    const { backend } = spanRecordingBackend((n) => (n as number) * 2);
    const compute = createHybridCompute({ worker: down, local: backend }, { tracer });
    expect(await compute.runTask('double', 2)).toBe(4);
    const attempts = exporter.getFinishedSpans().filter((span) => span.name === 'hybridcompute/double');
    expect(attempts.map((span) => [span.attributes['hybridcompute.backend'], span.attributes['hybridcompute.outcome']])).toEqual([
      ['worker', 'BACKEND_UNAVAILABLE'],
      ['local', 'OK'],
    ]);
  });

  it('makes no span without a tracer', async () => {
    const { backend, activeSpanIds } = spanRecordingBackend((n) => n);
    const compute = createHybridCompute({ local: backend });
    await compute.runTask('double', 1);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(activeSpanIds).toEqual([undefined]);
  });
});
