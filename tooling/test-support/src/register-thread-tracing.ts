import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { plainSpan, spanChannelName } from './plain-span.js';
import { registerGlobalTracing } from './register-global-tracing.js';

/**
 * Registers OpenTelemetry in a worker thread as an application's worker would, with an exporter
 * that posts each finished span to the test on a BroadcastChannel (worker threads share those
 * with the main thread), where {@link registerTestTracing}'s `threadSpans` reads them.
 *
 * @example
 * // traced-worker.mjs
 * registerThreadTracing();
 * exposeTasks(tracedTasks);
 */
export function registerThreadTracing(): void {
  const channel = new BroadcastChannel(spanChannelName);
  const exporter: SpanExporter = {
    export(spans, done) {
      for (const span of spans) channel.postMessage(plainSpan(span));
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => channel.close(),
  };
  registerGlobalTracing(exporter);
}
