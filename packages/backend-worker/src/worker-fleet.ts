import { backendUnavailableError, messageOf, type ComputeError } from '@hybridcompute/core';
import type { WorkerPoolSettings } from './read-worker-backend-options.js';
import type { WorkerCall } from './worker-call.js';
import { WorkerChannel, type WorkerChannelEvents } from './worker-channel.js';
import type { WorkerPlatform } from './worker-platform.js';

// Workers in a row that may exit on their own right after their handshake before the fleet gives up.
const maxIdleDeaths = 3;

/** What a {@link WorkerFleet} tells the pool about its workers and their calls. Internal. */
export interface WorkerFleetEvents {
  /** A worker finished its handshake: it takes calls. */
  joined(channel: WorkerChannel): void;
  /** A worker answered a running call (see {@link WorkerChannelEvents.answered}). */
  answered(channel: WorkerChannel, call: WorkerCall, ok: boolean, value: unknown): void;
  /** A slot came free on a worker without an answer to give (an aborted task stopped). */
  freed(channel: WorkerChannel, call: WorkerCall): void;
  /** A worker left the fleet: the calls running on it reject with `error`. */
  left(channel: WorkerChannel, error: ComputeError): void;
  /** The fleet gave up on its workers (see {@link WorkerFleet.broken}): every call rejects with `error`. */
  broke(error: ComputeError): void;
}

/**
 * The pool's workers: starts them, replaces one that dies or is stuck, and
 * gives up on a worker file that cannot start (it would fail again) instead
 * of respawning forever. Internal.
 */
export class WorkerFleet {
  /** Workers that finished their handshake and take calls. */
  readonly ready: WorkerChannel[] = [];
  /** The tasks the workers expose, from the first handshake on. */
  taskNames: ReadonlySet<string> | undefined;
  /** Why the fleet gave up on its workers; `undefined` while it has not. */
  broken: ComputeError | undefined;
  /** Resolves once every first worker has its handshake done; rejects when the fleet breaks or closes first. */
  readonly allStarted: Promise<void>;

  readonly #settings: WorkerPoolSettings;
  readonly #platform: WorkerPlatform;
  readonly #events: WorkerFleetEvents;
  readonly #channelEvents: WorkerChannelEvents;
  // Every worker not yet gone (for close()).
  readonly #alive = new Set<WorkerChannel>();
  #firstPending: number;
  #resolveStarted: () => void = noop;
  #rejectStarted: (error: unknown) => void = noop;
  // Workers in a row that exited on their own before answering anything.
  #idleDeaths = 0;
  #closed = false;

  constructor(settings: WorkerPoolSettings, platform: WorkerPlatform, events: WorkerFleetEvents) {
    this.#settings = settings;
    this.#platform = platform;
    this.#events = events;
    this.#channelEvents = this.#eventsForChannels(events);
    this.allStarted = new Promise<void>((resolve, reject) => {
      this.#resolveStarted = resolve;
      this.#rejectStarted = reject;
    });
    // Nobody has to wait for it; a failed start must not be an unhandled rejection.
    this.allStarted.catch(noop);
    this.#firstPending = settings.size;
    for (let index = 0; index < settings.size && this.broken === undefined; index++) this.#spawn();
  }

  /** Terminates every worker (the pool has settled their calls); resolves once they are gone. */
  close(error: ComputeError): Promise<void> {
    this.#closed = true;
    this.#rejectStarted(error);
    return Promise.all([...this.#alive].map((channel) => this.#retire(channel, error))).then(noop);
  }

  #eventsForChannels(events: WorkerFleetEvents): WorkerChannelEvents {
    // The calls' events go to the pool as they are: no hop on the hot path.
    return {
      ready: (channel, names) => {
        this.taskNames ??= new Set(names);
        this.ready.push(channel);
        if (this.#firstPending > 0 && --this.#firstPending === 0) this.#resolveStarted();
        events.joined(channel);
      },
      answered: events.answered,
      stopped: events.freed,
      firstAnswer: () => {
        // A worker that answers shows the worker file works: earlier deaths were not its fault.
        this.#idleDeaths = 0;
      },
      stuck: (channel, call) => {
        const { name, abortGrace } = this.#settings;
        const message = `A worker of the ${name} backend was terminated: task '${call.taskName}' did not stop within ${abortGrace} ms of being aborted`;
        void this.#retire(channel, backendUnavailableError(name, message));
        if (!this.#closed && this.broken === undefined) this.#spawn();
      },
      exited: (channel, error) => this.#onExit(channel, error),
      startTimedOut: (channel, error) => {
        const unavailable = backendUnavailableError(this.#settings.name, error.message, { cause: error });
        void this.#retire(channel, unavailable).then(() => this.#startFailed(error));
      },
    };
  }

  #spawn(): void {
    let channel: WorkerChannel;
    try {
      channel = new WorkerChannel(this.#platform, { ...this.#settings, backend: this.#settings.name }, this.#channelEvents);
    } catch (error) {
      this.#startFailed(error);
      return;
    }
    this.#alive.add(channel);
  }

  // A worker that never got as far as exposeTasks: a file that fails to load
  // would fail again, so the fleet stops instead of respawning forever.
  #startFailed(cause: unknown): void {
    if (this.#closed || this.broken !== undefined) return;
    const first = this.#firstPending > 0;
    const anyStarted = this.ready.length > 0 || [...this.#alive].some((channel) => channel.state === 'starting');
    if (!first && anyStarted) return;
    this.#break(`could not start its workers (${String(this.#settings.url)}): ${messageOf(cause)}`, cause);
  }

  #break(reason: string, cause: unknown): void {
    const { name } = this.#settings;
    const error = backendUnavailableError(name, `The ${name} backend ${reason}`, { cause });
    this.broken = error;
    this.#rejectStarted(error);
    this.#events.broke(error);
    for (const channel of [...this.#alive]) void this.#retire(channel, error);
  }

  #onExit(channel: WorkerChannel, error: Error): void {
    const { name } = this.#settings;
    const wasReady = channel.state === 'ready';
    // A worker that dies on its own, running nothing and having answered nothing,
    // was broken from the start (say, a worker file that throws after exposeTasks).
    const diedIdle = wasReady && !channel.answeredAny && channel.inFlight === 0;
    this.#forget(channel, backendUnavailableError(name, `A worker of the ${name} backend stopped: ${error.message}`, { cause: error }));
    if (this.#closed) return;
    if (!wasReady) {
      this.#startFailed(error);
    } else if (diedIdle && ++this.#idleDeaths >= maxIdleDeaths) {
      // Replacing it again would only loop: stop, as for a file that fails to load.
      this.#break(`its workers keep exiting right after they start (${maxIdleDeaths} in a row): ${error.message}`, error);
    } else {
      this.#spawn();
    }
  }

  // Takes a worker out of the fleet and has its calls rejected; terminating it is the caller's business.
  #forget(channel: WorkerChannel, error: ComputeError): void {
    if (channel.state === 'gone') return;
    channel.forget();
    this.#alive.delete(channel);
    const index = this.ready.indexOf(channel);
    if (index !== -1) this.ready.splice(index, 1);
    this.#events.left(channel, error);
  }

  #retire(channel: WorkerChannel, error: ComputeError): Promise<void> {
    this.#forget(channel, error);
    return channel.terminate();
  }
}

function noop(): void {}
