/** What an HTTP transport hands back: the status, `Retry-After`, and the body as text. */
export interface HttpAnswer {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

/**
 * The HTTP half of a platform: undici's pools in Node, `fetch` in browsers.
 * Failures before an answer arrives throw a {@link TransportFailure}, or the
 * signal's reason when it aborted.
 */
export interface HttpTransport {
  request(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/** Options every HTTP transport understands. */
export interface HttpTransportOptions {
  /** Connections per endpoint origin. */
  connections: number;
  /** Milliseconds an idle connection is kept open for reuse. */
  keepAliveTimeout: number;
}

/**
 * A call that got no answer. `delivered: false` means the request provably
 * never reached a server (connection refused): sending it elsewhere cannot run
 * the task twice.
 */
export class TransportFailure extends Error {
  readonly delivered: boolean;

  constructor(message: string, delivered: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'TransportFailure';
    this.delivered = delivered;
  }
}
