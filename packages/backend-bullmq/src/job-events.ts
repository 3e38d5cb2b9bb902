import { QueueEvents, type Queue } from 'bullmq';
import { connectionOptionsOf, newestEventId, type BullmqConnection, type RedisClientLike } from './bullmq-connection.js';

/** What {@link JobEvents} reports to the backend. */
export interface JobEventHandlers {
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, failedReason: unknown): void;
  removed(jobId: string): void;
  /** The job reported progress (`data` as its worker sent it). */
  progress(jobId: string, data: unknown): void;
  /** A handler threw on this job's event (its event could not be read): settle its calls with `error`. */
  unreadable(jobId: unknown, error: unknown): void;
  /** Reading started again from the newest event after it had stopped: events in between may be lost. */
  resumed(): void;
  /** Reading stopped and Redis could not be asked where to start again. */
  lost(): void;
}

// An error that comes back at once (say, an ACL that refuses a command BullMQ sends) must not make a loop of connections.
const reopenBackoff = 1_000;

function ignore(): void {}

/**
 * The one `QueueEvents` all of a backend's calls share: it reads the queue's
 * events stream and hands each job's progress, completion, failure or removal
 * to the backend. When BullMQ's reading loop ends for good (an event it cannot
 * parse ends it), it opens a new one from the newest event and reports
 * `resumed`, so the backend asks Redis about the calls still waiting.
 */
export class JobEvents {
  readonly #queue: Queue;
  readonly #connection: BullmqConnection;
  readonly #prefix: string;
  readonly #handlers: JobEventHandlers;
  #events: QueueEvents | undefined;
  #openedAt = 0;
  #client: RedisClientLike | undefined;
  #closed = false;

  constructor(queue: Queue, connection: BullmqConnection, prefix: string, handlers: JobEventHandlers) {
    this.#queue = queue;
    this.#connection = connection;
    this.#prefix = prefix;
    this.#handlers = handlers;
  }

  /** Whether events are being read. */
  get reading(): boolean {
    return this.#events !== undefined;
  }

  /**
   * Starts reading from the newest event now, so that none between now and
   * the events connection being up is missed. Rejects when Redis does not answer.
   */
  async open(client: RedisClientLike): Promise<void> {
    const lastEventId = await newestEventId(client, this.#eventsKey);
    if (!this.#closed) this.#open(lastEventId, client);
  }

  /**
   * Stops reading. A connection that is not up is dropped first: a graceful
   * close sends QUIT, which ioredis would hold until Redis is back.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const events = this.#events;
    this.#events = undefined;
    if (this.#client !== undefined && this.#client.status !== 'ready') this.#client.disconnect();
    await events?.close();
  }

  get #eventsKey(): string {
    return this.#queue.keys['events'] as string;
  }

  #open(lastEventId: string, client: RedisClientLike): void {
    const events = new QueueEvents(this.#queue.name, {
      connection: connectionOptionsOf(this.#connection),
      prefix: this.#prefix,
      lastEventId,
      autorun: false,
    });
    const handlers = this.#handlers;
    events.on('error', ignore);
    // A listener that threw would end BullMQ's event loop for good: a junk event settles its calls instead.
    events.on('completed', ({ jobId, returnvalue }) => guarded(handlers, jobId, () => handlers.completed(jobId, returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => guarded(handlers, jobId, () => handlers.failed(jobId, failedReason)));
    events.on('removed', ({ jobId }) => guarded(handlers, jobId, () => handlers.removed(jobId)));
    events.on('progress', ({ jobId, data }) => guarded(handlers, jobId, () => handlers.progress(jobId, data)));
    this.#events = events;
    this.#openedAt = Date.now();
    events.waitUntilReady().then((eventsClient) => {
      this.#client = eventsClient as unknown as RedisClientLike;
    }, ignore);
    // run() only ends on close or on an error that is not the connection's (BullMQ retries those itself),
    // such as an event it cannot parse: read on from the newest event.
    events.run().then(ignore, () => {
      if (this.#closed || this.#events !== events) return;
      this.#events = undefined;
      this.#client = undefined;
      events.close().then(ignore, ignore);
      if (Date.now() - this.#openedAt >= reopenBackoff) this.#reopen(client);
      else setTimeout(() => this.#reopen(client), reopenBackoff).unref?.();
    });
  }

  #reopen(client: RedisClientLike): void {
    if (this.#closed) return;
    newestEventId(client, this.#eventsKey).then(
      (lastEventId) => {
        if (this.#closed) return;
        this.#open(lastEventId, client);
        this.#handlers.resumed();
      },
      () => this.#handlers.lost(),
    );
  }
}

function guarded(handlers: JobEventHandlers, jobId: unknown, handle: () => void): void {
  try {
    handle();
  } catch (error) {
    handlers.unreadable(jobId, error);
  }
}
