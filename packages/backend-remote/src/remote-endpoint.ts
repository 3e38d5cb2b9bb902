import { AdmissionQueue } from './admission-queue.js';
import type { WireEncoding } from '@hybridcompute/wire/json';
import type { RemoteChannel } from './lazy-websocket-channel.js';

/**
 * The URLs of one compute server, from the endpoint it was given as:
 * `POST` goes to `url`, `GET /tasks` beside it, the WebSocket to `wsUrl`.
 *
 * @example
 * ```ts
 * endpointUrls(new URL('ws://host:8080/api/compute')).tasksUrl.href; // 'http://host:8080/api/tasks'
 * ```
 */
export function endpointUrls(endpoint: URL): { url: URL; tasksUrl: URL; wsUrl: URL } {
  const url = new URL(endpoint.href.replace(/^ws/, 'http'));
  const tasksUrl = new URL(url.href);
  tasksUrl.pathname = `${url.pathname.slice(0, url.pathname.lastIndexOf('/'))}/tasks`;
  tasksUrl.search = '';
  return { url, tasksUrl, wsUrl: new URL(url.href.replace(/^http/, 'ws')) };
}

/**
 * How busy one endpoint or the whole backend is: calls in flight, how many
 * may be at once (the servers' advertised `maxConcurrency`, or
 * {@link defaultMaxConcurrency} for one that has not said), and calls
 * waiting on the client for room.
 *
 * @example
 * ```ts
 * const { inFlight, capacity, queued }: RemoteLoad = remote.load();
 * const busy = (inFlight + (queued ?? 0)) / capacity;
 * ```
 */
export interface RemoteLoad {
  inFlight: number;
  capacity: number;
  queued?: number | undefined;
}

/** One compute server the backend sends calls to, with its admission limit and, over WebSocket, its channel. */
export class RemoteEndpoint {
  readonly url: URL;
  readonly tasksUrl: URL;
  readonly wsUrl: URL;
  readonly admission: AdmissionQueue<unknown>;
  channel: RemoteChannel | undefined;
  /**
   * The encodings the server said it speaks (`GET /tasks`, or any answer's
   * `x-compute-encodings`); `undefined` until it has said anything.
   */
  encodings: readonly WireEncoding[] | undefined;
  /** Whether the server said it streams (`"streaming": true` on `GET /tasks`); `undefined` until it has said. */
  streaming: boolean | undefined;
  #streamingAsked: Promise<void> | undefined;
  // One `GET /tasks` at a time to learn them, shared by every call that needs to know.
  #discovery: Promise<void> | undefined;

  constructor(endpoint: URL, defaultLimit: number) {
    ({ url: this.url, tasksUrl: this.tasksUrl, wsUrl: this.wsUrl } = endpointUrls(endpoint));
    this.admission = new AdmissionQueue(defaultLimit);
  }

  /** Learns the encodings the server offers; an answer without the header teaches nothing. */
  learnEncodings(encodings: readonly WireEncoding[] | undefined): void {
    if (encodings !== undefined) this.encodings = encodings;
  }

  /**
   * Makes sure the encodings are known, asking once with `discover` (a
   * `GET /tasks`). A server that cannot say is taken to speak JSON only.
   */
  async discoverEncodings(discover: () => Promise<readonly WireEncoding[] | undefined>): Promise<void> {
    if (this.encodings !== undefined) return;
    this.#discovery ??= discover().then(
      (encodings) => {
        this.encodings ??= encodings ?? ['json'];
      },
      () => {
        this.#discovery = undefined;
        this.encodings ??= ['json'];
      },
    );
    await this.#discovery;
  }

  /** Makes sure {@link RemoteEndpoint.streaming} is known, asking once with `ask` (a `GET /tasks` that sets it); a failed ask is asked again next time. */
  async discoverStreaming(ask: () => Promise<void>): Promise<void> {
    if (this.streaming !== undefined) return;
    this.#streamingAsked ??= ask().finally(() => (this.#streamingAsked = undefined));
    await this.#streamingAsked;
  }

  get free(): number {
    return this.admission.limit - this.admission.inFlight - this.#queued();
  }

  /** This endpoint's {@link RemoteLoad}. */
  get load(): RemoteLoad {
    return { inFlight: this.admission.inFlight, capacity: this.admission.limit, queued: this.#queued() };
  }

  // Calls waiting for the WebSocket transport's code wait on the client too.
  #queued(): number {
    return this.admission.queued + (this.channel?.waiting ?? 0);
  }
}

/** The load of several endpoints together: what the remote backend's `load()` reports. */
export function loadOfEndpoints(endpoints: readonly RemoteEndpoint[]): RemoteLoad {
  let inFlight = 0;
  let capacity = 0;
  let queued = 0;
  for (const endpoint of endpoints) {
    const load = endpoint.load;
    inFlight += load.inFlight;
    capacity += load.capacity;
    queued += load.queued ?? 0;
  }
  return { inFlight, capacity, queued };
}
