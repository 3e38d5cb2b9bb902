import type { ComputeBackendLike, StreamTaskOptions } from '../types.js';
import type { PlacedCalls } from './placed-calls.js';
import type { PlacementReason } from './placement-types.js';

/**
 * Reads `stream` as it is and calls `onClosed` once when it ends: done,
 * failed, or left early (`return()`, as `break` in a `for await` does). The
 * router counts a placed stream in flight until then.
 *
 * @internal Used by the router; not part of the public API.
 */
export function followStream<Chunk>(stream: AsyncIterable<Chunk>, onClosed: () => void): AsyncIterable<Chunk> {
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    onClosed();
  };
  let inner: AsyncIterator<Chunk>;
  try {
    inner = stream[Symbol.asyncIterator]();
  } catch (error) {
    close();
    throw error;
  }
  const iterator: AsyncIterableIterator<Chunk> = {
    [Symbol.asyncIterator]: () => iterator,
    async next(): Promise<IteratorResult<Chunk>> {
      try {
        const step = await inner.next();
        if (step.done === true) close();
        return step;
      } catch (error) {
        close();
        throw error;
      }
    },
    async return(value?: unknown): Promise<IteratorResult<Chunk>> {
      try {
        return (await inner.return?.(value)) ?? { done: true, value: undefined };
      } finally {
        close();
      }
    },
  };
  return iterator;
}

/**
 * Opens a stream where `'auto'` places it (`'fastest'` only: `'ordered'`
 * keeps its first fit), counted in flight until it ends; `undefined` when
 * placement does not apply or no backend that can run the task can stream.
 * `tracedOn`, given only when the router traces, opens it on the chosen
 * backend inside the attempt's span; without it nothing more is allocated
 * than before tracing existed.
 *
 * @internal Used by the router; not part of the public API.
 */
export function openPlacedStream(
  placed: PlacedCalls,
  backendAt: (backendIndex: number) => ComputeBackendLike,
  taskName: string,
  input: unknown,
  options: StreamTaskOptions | undefined,
  tracedOn?: (backendIndex: number, reason: PlacementReason) => AsyncIterable<unknown>,
): AsyncIterable<unknown> | undefined {
  if (placed.ordered) return undefined;
  const choice = placed.placeStream(taskName, (backend) => typeof backend.streamTask === 'function');
  if (choice === undefined) return undefined;
  let stream: AsyncIterable<unknown>;
  try {
    stream =
      tracedOn === undefined
        ? (backendAt(choice.backendIndex).streamTask as NonNullable<ComputeBackendLike['streamTask']>)(taskName, input, options)
        : tracedOn(choice.backendIndex, choice.reason);
  } catch (error) {
    choice.closed();
    throw error;
  }
  return followStream(stream, choice.closed);
}
