import { activeTraceCarrier } from './trace-context-carrier.js';

/**
 * Adds the active span's `traceparent` (and `tracestate`) to a call's
 * headers, as the W3C Trace Context specification names them; nothing when
 * no span is active or `@opentelemetry/api` is not installed.
 *
 * @internal Used by `sendHttpCall` and `streamOverHttp`.
 */
export function addTraceHeaders(headers: Record<string, string>): void {
  const carrier = activeTraceCarrier();
  if (carrier !== undefined) Object.assign(headers, carrier);
}
