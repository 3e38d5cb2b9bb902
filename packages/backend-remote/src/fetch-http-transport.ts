import { TransportFailure, type HttpAnswer, type HttpTransport } from './http-transport.js';

/**
 * HTTP over the platform's `fetch`, for browsers. The browser owns the
 * connections, so pool options do not apply.
 */
export class FetchHttpTransport implements HttpTransport {
  async request(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    try {
      const init: RequestInit = { method, headers };
      if (body !== undefined) init.body = body;
      if (signal !== undefined) init.signal = signal;
      const response = await fetch(url, init);
      const text = await response.text();
      return { status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined, text };
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      // fetch does not say whether the request left: assume it may have.
      throw new TransportFailure(`${method} ${url.href} failed: ${(error as Error).message}`, true, error);
    }
  }

  async close(): Promise<void> {}
}
