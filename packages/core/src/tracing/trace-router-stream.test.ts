import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.js';
import { createHybridCompute } from '../create-hybrid-compute.js';
import type { ComputeBackendLike } from '../types.js';
import { streamClosedEarlyAttribute } from './trace-router-stream.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracer = provider.getTracer('core-test');

afterAll(async () => {
  context.disable();
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

/**
 * A streaming backend: `count` yields 1..n, `breaks` yields 1 then fails.
 * It records the span active when its generator starts, and whether each
 * generator ran its `finally`.
 */
function streamingBackend() {
  const seen = { activeSpanIds: [] as (string | undefined)[], closed: 0 };
  async function* generate(taskName: string, input: unknown): AsyncGenerator<number> {
    seen.activeSpanIds.push(trace.getActiveSpan()?.spanContext().spanId);
    try {
      for (let n = 1; n <= (input as number); n++) {
        await Promise.resolve();
        if (taskName === 'breaks' && n === 2) throw new ComputeError({ code: 'TASK_FAILED', message: 'it broke midway', taskName });
        yield n;
      }
    } finally {
      seen.closed++;
    }
  }
  const backend: ComputeBackendLike = {
    canRun: (taskName) => taskName === 'count' || taskName === 'breaks',
    runTask: () => Promise.resolve(0),
    streamTask: (taskName, input) => generate(taskName, input),
  };
  return { backend, seen };
}

function spanNamed(name: string): ReadableSpan | undefined {
  return exporter.getFinishedSpans().find((span) => span.name === name);
}

describe('router tracing of streamTask', () => {
  it('makes a call span under the caller and an attempt span under it, active when the backend opens the stream, both ended with the stream', async () => {
    const { backend, seen } = streamingBackend();
    const compute = createHybridCompute({ local: backend }, { tracer });
    const chunks: number[] = [];
    let finishedBeforeTheEnd: string[] = [];
    await tracer.startActiveSpan('caller', async (caller) => {
      for await (const chunk of compute.streamTask('count', 3)) {
        chunks.push(chunk as number);
        if (chunks.length === 3) finishedBeforeTheEnd = exporter.getFinishedSpans().map((span) => span.name);
      }
      caller.end();
    });
    expect(chunks).toEqual([1, 2, 3]);
    // Open while chunks flow: a stream's spans last as long as the stream.
    expect(finishedBeforeTheEnd).toEqual([]);
    const caller = spanNamed('caller')!;
    const call = spanNamed('compute count')!;
    const attempt = spanNamed('hybridcompute/count')!;
    expect(new Set([call.spanContext().traceId, attempt.spanContext().traceId])).toEqual(new Set([caller.spanContext().traceId]));
    expect(call.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(attempt.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(call.kind).toBe(SpanKind.INTERNAL);
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(call.attributes).toMatchObject({ 'hybridcompute.task': 'count', 'hybridcompute.strategy': 'auto', 'hybridcompute.outcome': 'OK' });
    expect(attempt.attributes).toMatchObject({ 'rpc.system': 'hybridcompute', 'rpc.method': 'count', 'hybridcompute.backend': 'local', 'hybridcompute.placement': 'only', 'hybridcompute.outcome': 'OK' });
    expect(attempt.attributes[streamClosedEarlyAttribute]).toBeUndefined();
    expect(seen.activeSpanIds).toEqual([attempt.spanContext().spanId]);
  });

  it('ends both spans as failed, with the code and status ERROR, when the stream fails midway, and the reader still gets the error', async () => {
    const { backend } = streamingBackend();
    const compute = createHybridCompute({ local: backend }, { tracer });
    const chunks: unknown[] = [];
    await expect(
      (async () => {
        for await (const chunk of compute.streamTask('breaks', 3)) chunks.push(chunk);
      })(),
    ).rejects.toMatchObject({ code: 'TASK_FAILED', message: 'it broke midway' });
    expect(chunks).toEqual([1]);
    for (const name of ['compute breaks', 'hybridcompute/breaks']) {
      const span = spanNamed(name)!;
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({ 'hybridcompute.outcome': 'TASK_FAILED', 'error.type': 'TASK_FAILED' });
      expect(span.events.map((event) => event.name)).toContain('exception');
    }
  });

  it('ends both spans when the reader breaks off, marked closed early and not failed, and closes the backend stream', async () => {
    const { backend, seen } = streamingBackend();
    const compute = createHybridCompute({ local: backend }, { tracer });
    for await (const chunk of compute.streamTask('count', 100, 'local')) if (chunk === 2) break;
    expect(seen.closed).toBe(1);
    for (const name of ['compute count', 'hybridcompute/count']) {
      const span = spanNamed(name)!;
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.attributes).toMatchObject({ 'hybridcompute.outcome': 'OK', [streamClosedEarlyAttribute]: true });
    }
    expect(spanNamed('compute count')!.attributes['hybridcompute.strategy']).toBe('local');
    expect(spanNamed('hybridcompute/count')!.attributes['hybridcompute.placement']).toBe('explicit');
  });

  it('ends the call span with NO_BACKEND, and makes no attempt span, when no backend can stream the task', async () => {
    const { backend } = streamingBackend();
    const compute = createHybridCompute({ local: backend }, { tracer });
    await expect(compute.streamTask('nope', 1)[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'NO_BACKEND' });
    expect(exporter.getFinishedSpans().map((span) => [span.name, span.attributes['hybridcompute.outcome']])).toEqual([['compute nope', 'NO_BACKEND']]);
  });

  it("names the backend 'fastest' placement chose and why, on the attempt span", async () => {
    const first = streamingBackend();
    const second = streamingBackend();
    const compute = createHybridCompute({ worker: first.backend, local: second.backend }, { tracer });
    const chunks: unknown[] = [];
    for await (const chunk of compute.streamTask('count', 2)) chunks.push(chunk);
    expect(chunks).toEqual([1, 2]);
    const attempt = spanNamed('hybridcompute/count')!;
    expect(attempt.attributes['hybridcompute.backend']).toBe(first.seen.activeSpanIds.length === 1 ? 'worker' : 'local');
    expect(typeof attempt.attributes['hybridcompute.placement']).toBe('string');
    expect(compute.load().inFlight).toBe(0);
  });

  it('makes no span for a stream that is never read, nor without a tracer', async () => {
    const { backend, seen } = streamingBackend();
    const traced = createHybridCompute({ local: backend }, { tracer });
    await traced.streamTask('count', 1)[Symbol.asyncIterator]().return?.();
    const untraced = createHybridCompute({ local: backend });
    const chunks: unknown[] = [];
    for await (const chunk of untraced.streamTask('count', 2)) chunks.push(chunk);
    expect(chunks).toEqual([1, 2]);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(seen.activeSpanIds).toEqual([undefined]);
  });
});
