import { connectErrorCodes } from './connect-error-codes.js';
import { TransportFailure, type HttpAnswer, type HttpTransport } from './http-transport.js';

/**
 * HTTP over Bun's own `fetch`, which keeps connections alive and pools them per
 * origin itself (Bun's `undici` module is a partial copy: no response body
 * stream, no `Pool.destroy`). `close()` aborts the calls still in flight, as
 * destroying undici's pools does in Node, so that no call outlives it.
 */
export class BunFetchHttpTransport implements HttpTransport {
  // One signal for every call: aborted by close(). A call without a signal of its own allocates nothing.
  readonly #closing = new AbortController();

  async request(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    const closing = this.#closing.signal;
    if (closing.aborted) throw new TransportFailure(`${method} ${url.href} was not sent: the remote backend is closed`, false, undefined);
    try {
      const response = await fetch(url, { method, headers, body: body ?? null, signal: signal === undefined ? closing : AbortSignal.any([signal, closing]) });
      const text = await response.text();
      return { status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined, text };
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (closing.aborted) throw new TransportFailure(`${method} ${url.href} failed: the remote backend closed`, true, error);
      const code = (error as { code?: unknown }).code;
      const delivered = !(typeof code === 'string' && connectErrorCodes.has(code));
      throw new TransportFailure(`${method} ${url.href} failed: ${(error as Error).message || String(code)}`, delivered, error);
    }
  }

  async close(): Promise<void> {
    this.#closing.abort();
  }
}
