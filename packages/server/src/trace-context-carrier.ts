// Trace context through `@opentelemetry/api`, an optional peer: core's
// traceContextCarrier does the work, and this package requires the api from its
// own place. docs/architecture.md, "Tracing", says why.
import { requireOptionalPeer, traceContextCarrier } from '@hybridcompute/core';
import type * as OtelApiModule from '@opentelemetry/api';

/** The `@opentelemetry/api` module. */
export type OtelApi = typeof OtelApiModule;
export type { TraceCarrier } from '@hybridcompute/core';

export const { otelApi, activeTraceCarrier, traceFromCarrier, withCarrierSpan } = traceContextCarrier<OtelApi>('@hybridcompute/server', () =>
  requireOptionalPeer<OtelApi>('@opentelemetry/api', import.meta.url),
);
