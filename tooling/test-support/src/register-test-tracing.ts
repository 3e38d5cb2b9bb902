import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { plainSpan, spanChannelName, type PlainSpan } from './plain-span.js';
import { registerGlobalTracing } from './register-global-tracing.js';

/**
 * Registers OpenTelemetry for a test file as an application would, with an in-memory exporter.
 * Spans from worker threads (see {@link registerThreadTracing}) arrive on a BroadcastChannel.
 *
 * @example
 * const tracing = registerTestTracing();
 * await tracing.tracer.startActiveSpan('parent', async (span) => { await backend.runTask('double', 2); span.end(); });
 * await tracing.threadSpans((span) => span.name === 'double');
 * await tracing.dispose();
 */
export function registerTestTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = registerGlobalTracing(exporter);
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
