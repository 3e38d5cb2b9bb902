import { maxConcurrencyHeader, maxConcurrencyOf, responseTooLargeError, TransportFailure, type HttpAnswer, type HttpTransport } from './http-transport.js';

/**
 * HTTP over the platform's `fetch`, for browsers. The browser owns the
 * connections, so pool options do not apply. Redirects are not followed
 * (a compute server never redirects), and bodies are read up to `maxResponseBytes`.
 */
export class FetchHttpTransport implements HttpTransport {
  readonly #maxResponseBytes: number;

  constructor(maxResponseBytes: number) {
    this.#maxResponseBytes = maxResponseBytes;
  }

  async request(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    let response: Response;
    try {
      const init: RequestInit = { method, headers, redirect: 'manual' };
      if (body !== undefined) init.body = body;
      if (signal !== undefined) init.signal = signal;
      response = await fetch(url, init);
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      // fetch does not say whether the request left: assume it may have.
      throw new TransportFailure(`${method} ${url.href} failed: ${(error as Error).message}`, true, error);
    }
    let text: string;
    try {
      text = await this.#read(response, url);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'PROTOCOL_ERROR') throw error;
      if (signal?.aborted === true) throw signal.reason;
      throw new TransportFailure(`${method} ${url.href} failed while reading the answer: ${(error as Error).message}`, true, error);
    }
    return {
      // An opaque redirect has status 0.
      status: response.type === 'opaqueredirect' ? 0 : response.status,
      retryAfter: response.headers.get('retry-after') ?? undefined,
      text,
      maxConcurrency: maxConcurrencyOf(response.headers.get(maxConcurrencyHeader) ?? undefined),
    };
  }

  async close(): Promise<void> {}

  async #read(response: Response, url: URL): Promise<string> {
    const limit = this.#maxResponseBytes;
    if (Number(response.headers.get('content-length')) > limit || response.body === null) {
      await response.body?.cancel();
      if (response.body === null) return '';
      throw responseTooLargeError(url, limit);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      received += value.byteLength;
      if (received > limit) {
        await reader.cancel();
        throw responseTooLargeError(url, limit);
      }
      text += decoder.decode(value, { stream: true });
    }
  }
}
