import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireOptionalPeer } from './require-optional-peer.js';
import { traceContextCarrier } from './trace-context-carrier.js';
import { traceSpanKind } from './tracer-like.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  api.trace.setGlobalTracerProvider(provider);
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  await provider.shutdown();
  api.trace.disable();
  api.context.disable();
  api.propagation.disable();
});
beforeEach(() => exporter.reset());

describe('requireOptionalPeer', () => {
  it('requires a peer installed beside the given module, and gives undefined for one that is not', () => {
    const required = requireOptionalPeer<typeof api>('@opentelemetry/api', import.meta.url);
    // The CommonJS build, another copy of the module, sharing the registrations on globalThis.
    expect(required?.trace.getTracerProvider()).toBe(api.trace.getTracerProvider());
    expect(requireOptionalPeer('@hybridcompute/no-such-package', import.meta.url)).toBeUndefined();
  });
});

describe('traceContextCarrier', () => {
  it('looks for the api once, on first use, and does nothing without it', async () => {
    let lookups = 0;
    const tracing = traceContextCarrier<typeof api>('absent', () => {
      lookups++;
      return undefined;
    });
    expect(lookups).toBe(0);
    expect(tracing.activeTraceCarrier()).toBeUndefined();
    await expect(Promise.resolve(tracing.traceFromCarrier(undefined, 'run', {}, () => 7))).resolves.toBe(7);
    expect(tracing.otelApi()).toBeUndefined();
    expect(lookups).toBe(1);
  });

  it('carries the active span out as traceparent, and none without an active span', () => {
    const tracing = traceContextCarrier('test', () => api);
    expect(tracing.activeTraceCarrier()).toBeUndefined();
    const parent = api.trace.getTracer('caller').startSpan('caller');
    const carrier = api.context.with(api.trace.setSpan(api.context.active(), parent), () => tracing.activeTraceCarrier());
    parent.end();
    expect(carrier?.['traceparent']).toBe(`00-${parent.spanContext().traceId}-${parent.spanContext().spanId}-01`);
  });

  it("starts a span of the package's tracer as the child of the carried context, and ends it with the outcome", async () => {
    const tracing = traceContextCarrier('@hybridcompute/test', () => api);
    const carrier = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    await expect(Promise.resolve(tracing.traceFromCarrier(carrier, 'run double', { kind: traceSpanKind.server }, async () => 4))).resolves.toBe(4);
    const named = tracing.withCarrierSpan(api, carrier, 'process', { kind: traceSpanKind.consumer }, (span) => {
      span.end();
      return 'done';
    });
    expect(named).toBe('done');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.name, span.kind, span.instrumentationScope.name, span.spanContext().traceId, span.parentSpanContext?.spanId])).toEqual([
      ['run double', api.SpanKind.SERVER, '@hybridcompute/test', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'],
      ['process', api.SpanKind.CONSUMER, '@hybridcompute/test', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'],
    ]);
    expect(spans[0]?.attributes['hybridcompute.outcome']).toBe('OK');
  });
});
