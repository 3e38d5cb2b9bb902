import type { IncomingHttpHeaders } from 'node:http';
import { endFailed, outcomeAttribute, rpcSystem, traceSpanKind } from '@hybridcompute/core';
import type { CallOutcome } from './call-runner.js';
import { otelApi, traceFromCarrier, withCarrierSpan, type TraceCarrier } from './trace-context-carrier.js';

/** How a call reached the server, and the caller's W3C trace context, when it sent one. */
export interface ServerTraceContext {
  readonly carrier: TraceCarrier | undefined;
  readonly transport: 'http' | 'websocket';
}

/**
 * The trace context of an HTTP call: its `traceparent` and `tracestate`
 * headers. `undefined` when `@opentelemetry/api` is not installed, so that
 * the server then does no tracing work at all.
 *
 * @internal Used by the HTTP handler.
 */
export function traceContextOfHeaders(headers: IncomingHttpHeaders): ServerTraceContext | undefined {
  if (otelApi() === undefined) return undefined;
  return { carrier: carrierOf(headers['traceparent'], headers['tracestate']), transport: 'http' };
}

/**
 * The trace context of a WebSocket call frame: its optional `traceparent`
 * and `tracestate` fields. `undefined` without `@opentelemetry/api`.
 *
 * @internal Used by the WebSocket connection.
 */
export function traceContextOfFrame(frame: object): ServerTraceContext | undefined {
  if (otelApi() === undefined) return undefined;
  const { traceparent, tracestate } = frame as { traceparent?: unknown; tracestate?: unknown };
  return { carrier: carrierOf(traceparent, tracestate), transport: 'websocket' };
}

function carrierOf(traceparent: unknown, tracestate: unknown): TraceCarrier | undefined {
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}

/**
 * The server's span for one call, from admission to answer: a server span,
 * the child of the caller's context when it sent one. A refusal
 * (`QUEUE_FULL`, draining, an unknown task) or a failure marks it with the
 * error code. The outcome is never changed.
 *
 * @internal Used by the call runner.
 */
export function traceServerCall(trace: ServerTraceContext, taskName: string, run: () => Promise<CallOutcome>): Promise<CallOutcome> {
  const api = otelApi();
  if (api === undefined) return run();
  const attributes = { 'rpc.system': rpcSystem, 'rpc.method': taskName, 'hybridcompute.task': taskName, 'network.protocol.name': trace.transport };
  return withCarrierSpan(api, trace.carrier, `${rpcSystem}/${taskName}`, { kind: traceSpanKind.server, attributes }, (span) =>
    run().then((outcome) => {
      if (!outcome.ok) endFailed(span, outcome.error);
      else {
        if (span.isRecording()) span.setAttribute(outcomeAttribute, 'OK');
        span.end();
      }
      return outcome;
    }),
  );
}

/**
 * The span of the task's own run on the server's backend, inside the call's
 * span: what the task (or the worker pool, queue or router behind it) starts
 * is its child.
 *
 * @internal Used by the call runner.
 */
export function traceTaskRun(taskName: string, run: () => Promise<unknown>): Promise<unknown> {
  return Promise.resolve(traceFromCarrier(undefined, `run ${taskName}`, { kind: traceSpanKind.internal, attributes: { 'hybridcompute.task': taskName } }, run));
}
