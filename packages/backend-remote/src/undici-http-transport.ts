import { Pool } from 'undici';
import { connectErrorCodes } from './connect-error-codes.js';
import { TransportFailure, type HttpAnswer, type HttpTransport, type HttpTransportOptions } from './http-transport.js';

/**
 * HTTP over undici 7: one keep-alive `Pool` per endpoint origin, `request()`
 * on it. Measured several times faster than the global `fetch` at 64 calls in flight.
 */
export class UndiciHttpTransport implements HttpTransport {
  readonly #options: HttpTransportOptions;
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
  }

  async request(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    // A closed transport opens no new pool: it would outlive close() and keep the process alive.
    if (this.#closed) throw new TransportFailure(`${method} ${url.href} was not sent: the remote backend is closed`, false, undefined);
    let pool = this.#pools.get(url.origin);
    if (pool === undefined) {
      pool = new Pool(url.origin, { connections: this.#options.connections, keepAliveTimeout: this.#options.keepAliveTimeout, pipelining: 1 });
      this.#pools.set(url.origin, pool);
    }
    try {
      const response = await pool.request({ method, path: url.pathname + url.search, headers, body: body ?? null, signal: signal ?? null });
      const text = await response.body.text();
      const retryAfter = response.headers['retry-after'];
      return { status: response.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, text };
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      const code = (error as { code?: unknown }).code;
      const delivered = !(typeof code === 'string' && connectErrorCodes.has(code));
      throw new TransportFailure(`${method} ${url.href} failed: ${(error as Error).message || String(code)}`, delivered, error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    // destroy, not close: calls still in flight settle at once instead of holding close() up.
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}
