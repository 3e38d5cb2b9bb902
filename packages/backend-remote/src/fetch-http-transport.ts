import { connectErrorCodes } from './connect-error-codes.js';
import { answerOf, maxConcurrencyHeader, maxConcurrencyOf, offeredEncodings, responseTooLargeError, TransportFailure, type HttpAnswer, type HttpTransport } from './http-transport.js';
import type { HttpStreamResponse } from './http-stream-response.js';
import { encodingsHeader, streamEncodingOf } from '@hybridcompute/wire/json';

/**
 * HTTP over the platform's `fetch`: browsers, and Bun (whose `undici` is a
 * partial copy). The platform owns the connections, so pool options do not
 * apply. Redirects are not followed (a compute server never redirects),
 * bodies are read up to `maxResponseBytes`, and `close()` aborts the calls
 * still in flight, so a process can exit.
 */
export class FetchHttpTransport implements HttpTransport {
  readonly #maxResponseBytes: number;
  // One signal for every call, aborted by close(): a call without a signal of its own allocates nothing.
  readonly #closing = new AbortController();
  // Bun: its fetch's `tls` ({ ca, cert, key }) for the `tls` option; browsers have none.
  readonly #tls: object | undefined;

  constructor(maxResponseBytes: number, tls?: object) {
    this.#maxResponseBytes = maxResponseBytes;
    this.#tls = tls;
  }

  async request(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    const response = await this.#send(method, url, headers, body, signal);
    return this.#readWhole(response, method, url, signal);
  }

  async requestStream(method: 'POST', url: URL, headers: Record<string, string>, body: string | Uint8Array, signal: AbortSignal | undefined): Promise<HttpStreamResponse> {
    const response = await this.#send(method, url, headers, body, signal);
    const encoding = response.status === 200 ? streamEncodingOf(response.headers.get('content-type')) : undefined;
    if (encoding === undefined || response.body === null) return { kind: 'plain', answer: await this.#readWhole(response, method, url, signal) };
    const reader = response.body.getReader();
    const offered = response.headers.get(encodingsHeader);
    return {
      kind: 'stream',
      encoding,
      maxConcurrency: maxConcurrencyOf(response.headers.get(maxConcurrencyHeader) ?? undefined),
      encodings: offeredEncodings(offered ?? undefined),
      pieces: {
        next: async () => {
          try {
            const { done, value } = await reader.read();
            return done ? { done: true, value: undefined } : { done: false, value };
          } catch (error) {
            if (signal?.aborted === true) throw signal.reason;
            throw new TransportFailure(`${method} ${url.href} failed while reading the answer: ${(error as Error).message}`, true, error);
          }
        },
      },
      cancel: () => void reader.cancel().catch(() => {}),
    };
  }

  async #send(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<Response> {
    const closing = this.#closing.signal;
    if (closing.aborted) throw new TransportFailure(`${method} ${url.href} was not sent: the remote backend is closed`, false, undefined);
    let response: Response;
    try {
      const init: RequestInit = { method, headers, redirect: 'manual', signal: signal === undefined ? closing : AbortSignal.any([signal, closing]) };
      if (body !== undefined) init.body = body as NonNullable<RequestInit['body']>;
      if (this.#tls !== undefined) (init as { tls?: object }).tls = this.#tls;
      response = await fetch(url, init);
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (closing.aborted) throw new TransportFailure(`${method} ${url.href} failed: the remote backend closed`, true, error);
      // Browsers do not say whether the request left (assume it may have); Bun gives the error's code.
      const code = (error as { code?: unknown }).code;
      const delivered = !(typeof code === 'string' && connectErrorCodes.has(code));
      throw new TransportFailure(`${method} ${url.href} failed: ${(error as Error).message || String(code)}`, delivered, error);
    }
    return response;
  }

  async #readWhole(response: Response, method: string, url: URL, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#read(response, url);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'PROTOCOL_ERROR') throw error;
      if (signal?.aborted === true) throw signal.reason;
      throw new TransportFailure(`${method} ${url.href} failed while reading the answer: ${(error as Error).message}`, true, error);
    }
    // An opaque redirect has status 0.
    return answerOf(response.type === 'opaqueredirect' ? 0 : response.status, bytes, (name) => response.headers.get(name) ?? undefined);
  }

  async close(): Promise<void> {
    this.#closing.abort();
  }

  async #read(response: Response, url: URL): Promise<Uint8Array> {
    const limit = this.#maxResponseBytes;
    if (Number(response.headers.get('content-length')) > limit || response.body === null) {
      await response.body?.cancel();
      if (response.body === null) return new Uint8Array();
      throw responseTooLargeError(url, limit);
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return joinChunks(chunks, received);
      received += value.byteLength;
      if (received > limit) {
        await reader.cancel();
        throw responseTooLargeError(url, limit);
      }
      chunks.push(value);
    }
  }
}

function joinChunks(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
