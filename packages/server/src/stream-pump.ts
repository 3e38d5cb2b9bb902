import type { ComputeError } from '@hybridcompute/core';
import type { CallOutcome } from './call-runner.js';
import type { CallStop } from './call-stop.js';

/**
 * Where a stream's chunks go: a WebSocket granting credits, or an HTTP
 * answer draining into TCP. The pump asks for room before it pulls the next
 * chunk, so a reader that stops reading stops the generator at its `yield`.
 */
export interface ChunkSink {
  /** `undefined` when a chunk may be sent now; otherwise settles when one may (or the call stops). */
  room(): Promise<void> | undefined;
  /** Sends one chunk; a chunk the caller's encoding cannot carry is the call's failure, returned. */
  chunk(value: unknown): ComputeError | undefined;
}

const noop = (): void => {};

/**
 * Pulls a stream's chunks into `sink`, one at a time and only while it has
 * room, until the stream ends, fails, or `stop` stops it. Never rejects.
 * Whenever it ends early (a stop, a chunk that cannot travel) the generator is
 * closed: a generator waiting at its `yield` runs its `finally` at once, one
 * busy between chunks at its next `yield` (its signal, aborted by the stop,
 * tells it sooner). The call's slot is free when this settles.
 */
export async function pumpStream(stream: AsyncIterator<unknown>, stop: CallStop, sink: ChunkSink): Promise<CallOutcome> {
  let finished = false;
  try {
    for (;;) {
      const room = sink.room();
      if (room !== undefined) await stop.settle(room);
      if (stop.reason !== undefined) return { ok: false, error: stop.reason };
      const step = await stop.settle(stream.next());
      if (step.done === true) {
        finished = true;
        return { ok: true, result: undefined };
      }
      const refused = sink.chunk(step.value);
      if (refused !== undefined) return { ok: false, error: refused };
    }
  } catch (error) {
    // A stream whose next() failed is over; a stop leaves it open, to close below.
    finished = stop.reason === undefined;
    return { ok: false, error: stop.reason ?? error };
  } finally {
    // Not awaited: a generator busy between chunks only takes the return at its next yield.
    if (!finished) Promise.resolve().then(() => stream.return?.()).then(noop, noop);
  }
}
