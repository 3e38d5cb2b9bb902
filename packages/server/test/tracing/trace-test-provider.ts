// Registers OpenTelemetry for a test file as an application would: a provider
// with an in-memory exporter, the AsyncLocalStorage context manager and the
// W3C propagator. Spans from worker threads arrive on a BroadcastChannel.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { plainSpan, spanChannelName } from './plain-span.mjs';

export interface PlainSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  traceState: string | undefined;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}

export function registerTestTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const fromThreads: PlainSpan[] = [];
  const waiters = new Set<() => void>();
  const channel = new BroadcastChannel(spanChannelName);
  channel.onmessage = (event) => {
    fromThreads.push((event as { data: PlainSpan }).data);
    for (const waiter of waiters) waiter();
  };
  (channel as { unref?: () => void }).unref?.();
  return {
    tracer: trace.getTracer('test'),
    /** Spans finished in this thread. */
    localSpans: (): PlainSpan[] => exporter.getFinishedSpans().map(plainSpan),
    /** Resolves with the spans posted from other threads once `count` of them match. */
    threadSpans(match: (span: PlainSpan) => boolean, count = 1): Promise<PlainSpan[]> {
      return new Promise((resolve) => {
        const check = (): void => {
          const found = fromThreads.filter(match);
          if (found.length < count) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
    },
    reset(): void {
      exporter.reset();
      fromThreads.length = 0;
    },
    async dispose(): Promise<void> {
      channel.close();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
