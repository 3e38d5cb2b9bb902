import { endFailed, outcomeAttribute, traceSpanKind } from '@hybridcompute/core';
import { decodeJobFailure, type BullmqJobData } from './job-envelope.js';
import { activeTraceCarrier, otelApi, traceFromCarrier, withCarrierSpan, type TraceCarrier } from './trace-context-carrier.js';

function messagingAttributes(queueName: string, operation: 'send' | 'process', taskName: string, jobId: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {
    'messaging.system': 'bullmq',
    'messaging.destination.name': queueName,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'hybridcompute.task': taskName,
  };
  if (jobId !== undefined) attributes['messaging.message.id'] = jobId;
  return attributes;
}

/**
 * Adds a job inside a producer span (`send <queue>`), and writes that span's
 * W3C trace context into the job's data (`traceparent`, `tracestate`), so
 * that the worker that takes the job continues the trace. Only when a span
 * is active: otherwise the job is added as it is, with no extra bytes.
 *
 * @internal Used by the backend.
 */
export function traceEnqueue(queueName: string, taskName: string, jobId: string, data: BullmqJobData, add: () => Promise<unknown>): Promise<unknown> {
  const api = otelApi();
  if (api === undefined || api.trace.getSpanContext(api.context.active()) === undefined) return add();
  return Promise.resolve(
    traceFromCarrier(undefined, `send ${queueName}`, { kind: traceSpanKind.producer, attributes: messagingAttributes(queueName, 'send', taskName, jobId) }, () => {
      const carrier = activeTraceCarrier();
      if (carrier !== undefined) Object.assign(data, carrier);
      return add();
    }),
  );
}

/**
 * Processes a job inside a consumer span (`process <queue>`), the child of
 * the producer span its data names. A job without trace context is
 * processed as it is. A failure marks the span with the call's error code
 * (read back from the failure the processor throws).
 *
 * @internal Used by the worker.
 */
export function traceJobProcess<Result>(
  queueName: string,
  job: { name: string; id?: string | undefined; data: unknown },
  process: () => Promise<Result>,
): Promise<Result> {
  const carrier = carrierOfJobData(job.data);
  const api = carrier === undefined ? undefined : otelApi();
  if (api === undefined) return process();
  const attributes = messagingAttributes(queueName, 'process', job.name, job.id);
  return withCarrierSpan(api, carrier, `process ${queueName}`, { kind: traceSpanKind.consumer, attributes }, (span) =>
    process().then(
      (result) => {
        if (span.isRecording()) span.setAttribute(outcomeAttribute, 'OK');
        span.end();
        return result;
      },
      (error: unknown) => {
        // The processor's failure carries the call's ComputeError as its message: the span records that.
        endFailed(span, decodeJobFailure((error as Error | null)?.message, job.name, 'bullmq'));
        throw error;
      },
    ),
  );
}

function carrierOfJobData(data: unknown): TraceCarrier | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { traceparent, tracestate } = data as { traceparent?: unknown; tracestate?: unknown };
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}
