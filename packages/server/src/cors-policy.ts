import type { IncomingMessage, ServerResponse } from 'node:http';
import { idempotencyKeyHeader, timeoutHeader } from '@hybridcompute/core';
import { maxConcurrencyHeader } from './max-concurrency-header.js';

/**
 * Which browser origins may call the server: CORS headers for HTTP, and the
 * same rule for WebSocket upgrades, which browsers send without CORS.
 */
export class CorsPolicy {
  // Undefined: no CORS headers at all (same-origin pages and non-browser clients only).
  readonly #origins: '*' | ReadonlySet<string> | undefined;

  constructor(origins: '*' | readonly string[] | undefined) {
    this.#origins = origins === undefined || origins === '*' ? origins : new Set(origins);
  }

  /**
   * Adds the CORS headers when the request's origin is allowed and answers a
   * preflight; says whether the request was a preflight (and is answered).
   */
  answerPreflight(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): boolean {
    if (this.#origins === undefined || !this.#allow(request, response) || request.method !== 'OPTIONS') return false;
    response.writeHead(204, {
      ...headers,
      'access-control-allow-methods': 'POST, GET',
      // traceparent and tracestate: browser OpenTelemetry instrumentation sends them on cross-origin calls.
      'access-control-allow-headers': `content-type, authorization, ${timeoutHeader}, ${idempotencyKeyHeader}, traceparent, tracestate`,
      'access-control-max-age': '600',
    });
    response.end();
    return true;
  }

  /**
   * WebSockets have no CORS: a page on any origin may open one, and would
   * read the answers. So a browser's upgrade (it always sends `Origin`) is
   * taken only from the server's own origin or one `corsOrigins` allows.
   */
  allowsUpgrade(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined || this.#origins === '*') return true;
    if (this.#origins?.has(origin) === true) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }

  #allow(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin;
    if (typeof origin !== 'string') return false;
    if (this.#origins !== '*' && this.#origins?.has(origin) !== true) return false;
    response.setHeader('access-control-allow-origin', this.#origins === '*' ? '*' : origin);
    response.setHeader('access-control-expose-headers', `retry-after, ${maxConcurrencyHeader}`);
    if (this.#origins !== '*') response.setHeader('vary', 'origin');
    return true;
  }
}
