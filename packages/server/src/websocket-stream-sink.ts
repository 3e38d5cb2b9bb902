import type { ComputeError, WireCallId } from '@hybridcompute/core';
import type { WireCodec } from '@hybridcompute/wire';
import type { ChunkSink } from './stream-pump.js';
import { notCarriedError, streamValueMismatch } from './stream-value-mismatch.js';

/**
 * One WebSocket stream's chunks, under credit flow control: the call frame
 * grants the first credits (`stream: n`, the client's highWaterMark), each
 * `{ id, credit: n }` frame grants more, and each chunk sent spends one. With
 * none left the pump waits here, so the generator stays at its `yield`.
 */
export class WebSocketStreamSink implements ChunkSink {
  readonly #id: WireCallId;
  readonly #taskName: string;
  readonly #codec: WireCodec;
  readonly #send: (data: string | Uint8Array) => void;
  #credits: number;
  #wake: (() => void) | undefined;

  constructor(id: WireCallId, taskName: string, credits: number, codec: WireCodec, send: (data: string | Uint8Array) => void) {
    this.#id = id;
    this.#taskName = taskName;
    this.#credits = credits;
    this.#codec = codec;
    this.#send = send;
  }

  /** A `{ id, credit }` frame: more chunks may go. Anything but a positive whole number is ignored. */
  grant(credit: unknown): void {
    if (typeof credit !== 'number' || !Number.isInteger(credit) || credit < 1) return;
    // Bounded, so a client cannot overflow the count into unbounded sending.
    this.#credits = Math.min(this.#credits + credit, 65_536);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  room(): Promise<void> | undefined {
    if (this.#credits > 0) return undefined;
    return new Promise((resolve) => (this.#wake = resolve));
  }

  chunk(value: unknown): ComputeError | undefined {
    const mismatch = streamValueMismatch(this.#codec, value, 'chunk');
    if (mismatch !== undefined) return notCarriedError(this.#taskName, mismatch);
    this.#credits--;
    this.#send(this.#codec.encode({ id: this.#id, chunk: value }));
    return undefined;
  }
}
