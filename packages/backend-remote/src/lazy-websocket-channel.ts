import { abortErrorFrom, backendUnavailableError, messageOf, type CallOptions } from '@hybridcompute/core';
import type { RemotePlatform } from './remote-backend-options.js';
import type { WebSocketChannel, WebSocketChannelOptions } from './websocket-channel.js';

/** What the backend asks of an endpoint's WebSocket channel, loaded or still loading. */
export type RemoteChannel = Pick<WebSocketChannel, 'call' | 'stream' | 'close'> & {
  /** Calls waiting for the channel's code, where it is loaded on demand. */
  readonly waiting?: number;
};

/**
 * A platform that makes its channels itself: Node's and Bun's, which import
 * the channel statically, so nothing there waits for a load.
 */
export interface ChannelPlatform extends RemotePlatform {
  createChannel(options: WebSocketChannelOptions): RemoteChannel;
}

/**
 * The channel to one endpoint: the platform's own when it makes them, else
 * one whose code comes by `import()` (the browser entry, and platforms built
 * by hand).
 */
export function openWebSocketChannel(platform: RemotePlatform, options: WebSocketChannelOptions): RemoteChannel {
  return typeof (platform as Partial<ChannelPlatform>).createChannel === 'function' ? (platform as ChannelPlatform).createChannel(options) : new LazyWebSocketChannel(options);
}

/**
 * A {@link WebSocketChannel} whose code is fetched by a dynamic `import()`,
 * so that a browser bundle keeps the WebSocket transport (the channel, its
 * connector, frames and reconnects) out of the first chunk, as it keeps
 * MessagePack: a page that calls over HTTP never loads it. The load starts
 * when the backend is made; a call made before it is done waits for it, and
 * one made after goes straight to the channel. A load that fails (a chunk
 * the browser could not fetch) fails the calls waiting with
 * `BACKEND_UNAVAILABLE`, since nothing was sent, and the next call tries again.
 *
 * @internal
 */
export class LazyWebSocketChannel implements RemoteChannel {
  readonly #options: WebSocketChannelOptions;
  #channel: WebSocketChannel | undefined;
  #loading: Promise<WebSocketChannel> | undefined;
  #closed = false;
  #waiting = 0;

  constructor(options: WebSocketChannelOptions) {
    this.#options = options;
    // Fetched now, so that the first call seldom waits; a failure here is met again by that call.
    this.#load().catch(() => {});
  }

  /** Calls waiting for the channel's code: queued on the client, as the endpoint's load says. */
  get waiting(): number {
    return this.#waiting;
  }

  call(taskName: string, input: unknown, options: CallOptions, deadlineAt: number | undefined, onProgress?: (value: unknown) => void): Promise<unknown> {
    const channel = this.#channel;
    if (channel !== undefined) return channel.call(taskName, input, options, deadlineAt, onProgress);
    return this.#waitFor(taskName, options.signal).then((loaded) => loaded.call(taskName, input, options, deadlineAt, onProgress));
  }

  stream(taskName: string, input: unknown, options: CallOptions, highWaterMark: number): AsyncIterableIterator<unknown> {
    const channel = this.#channel;
    if (channel !== undefined) return channel.stream(taskName, input, options, highWaterMark);
    const waitFor = (): Promise<WebSocketChannel> => this.#waitFor(taskName, options.signal);
    return (async function* loadChannelFirst() {
      yield* (await waitFor()).stream(taskName, input, options, highWaterMark);
    })();
  }

  close(): void {
    this.#closed = true;
    this.#channel?.close();
  }

  // The call's signal (its deadline, or the caller's) ends the wait as it would end the call.
  #waitFor(taskName: string, signal: AbortSignal | undefined): Promise<WebSocketChannel> {
    if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal.reason, taskName, this.#options.backend));
    this.#waiting++;
    return new Promise<WebSocketChannel>((resolve, reject) => {
      let waiting = true;
      const stop = (): boolean => {
        if (!waiting) return false;
        waiting = false;
        this.#waiting--;
        signal?.removeEventListener('abort', aborted);
        return true;
      };
      const aborted = (): void => {
        if (stop()) reject(abortErrorFrom(signal?.reason, taskName, this.#options.backend));
      };
      signal?.addEventListener('abort', aborted, { once: true });
      this.#load(taskName).then(
        (channel) => stop() && resolve(channel),
        (error: unknown) => stop() && reject(error),
      );
    });
  }

  #load(taskName?: string): Promise<WebSocketChannel> {
    this.#loading ??= import('./websocket-channel.js').then(
      ({ WebSocketChannel }) => {
        const channel = new WebSocketChannel(this.#options);
        // Closed while loading: the channel refuses calls as a closed one does.
        if (this.#closed) channel.close();
        return (this.#channel = channel);
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading.catch((error: unknown) => {
      throw backendUnavailableError(this.#options.backend, `Could not load the WebSocket transport: ${messageOf(error)}`, { taskName, cause: error });
    });
  }
}
