import { ChunkQueue } from '@hybridcompute/core';

/** How a {@link ChannelStream} talks back to the server. */
export interface ChannelStreamHooks {
  /** Send `{ id, credit }`. */
  grant(credit: number): void;
  /** Send `{ id, cancel: true }` and settle the call. */
  cancel(): void;
}

/**
 * One WebSocket stream's credits, on the reader's side: the call frame
 * grants `highWaterMark` chunks; as the reader takes chunks, credit for them
 * goes back in batches of half the mark, so at most `highWaterMark` chunks
 * are ever on their way or waiting to be read.
 */
export class ChannelStream {
  readonly queue: ChunkQueue;
  readonly #highWaterMark: number;
  readonly #batch: number;
  // Taken since the last grant.
  #taken = 0;
  // Chunks the server may still send before the next grant.
  #outstanding = 0;

  constructor(highWaterMark: number, hooks: ChannelStreamHooks) {
    this.#highWaterMark = highWaterMark;
    this.#batch = Math.max(1, Math.floor(highWaterMark / 2));
    this.queue = new ChunkQueue({
      taken: () => {
        if (++this.#taken < this.#batch) return;
        this.#outstanding += this.#taken;
        hooks.grant(this.#taken);
        this.#taken = 0;
      },
      cancel: hooks.cancel,
    });
  }

  /** The credits of a call frame sent (again, after a `QUEUE_FULL`): the whole mark. */
  restart(): number {
    this.#taken = 0;
    this.#outstanding = this.#highWaterMark;
    return this.#highWaterMark;
  }

  /** Whether one more chunk is within the credits granted; counts it if so. */
  accepts(): boolean {
    if (this.#outstanding <= 0) return false;
    this.#outstanding--;
    return true;
  }
}

/**
 * What is wrong with a frame for this call, given whether it is a stream:
 * `undefined` when the frame is one the call can take.
 */
export function streamFrameFault(kind: string, stream: ChannelStream | undefined): string | undefined {
  if (stream === undefined) return kind === 'chunk' || kind === 'end' ? `sent a stream's ${kind} for a call that is not a stream` : undefined;
  if (kind === 'chunk') return 'sent more chunks than the client granted credit for';
  if (kind === 'result') return 'answered a stream with a plain result: it does not stream';
  return undefined;
}
