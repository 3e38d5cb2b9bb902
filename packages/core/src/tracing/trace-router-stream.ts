import type { PlacementReason } from '../placement/placement-types.js';
import { attemptSpanName, attemptSpanOptions, routerCallSpanOptions } from './trace-router-call.js';
import { endFailed, outcomeAttribute } from './trace-span.js';
import type { SpanLike, TraceSpanOptions, TracerLike } from './tracer-like.js';

/**
 * The attribute set, `true`, on a stream's spans when its reader left before
 * the end (`break` in a `for await`, `return()`): the stream did not fail.
 *
 * @example
 * ```ts
 * const leftEarly = spans.filter((span) => span.attributes[streamClosedEarlyAttribute] === true);
 * ```
 */
export const streamClosedEarlyAttribute = 'hybridcompute.stream.closed_early';

const finished: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The router's span for one `streamTask` call, `compute <task>`: opened on
 * the stream's first step, around `open` (which places the stream and
 * returns its attempt, {@link traceStreamAttempt}), and ended when the
 * stream ends, fails, or its reader leaves early.
 *
 * @internal Used by the router.
 */
export function traceRouterStream(tracer: TracerLike, taskName: string, strategy: string, open: () => AsyncIterable<unknown>): AsyncIterableIterator<unknown> {
  return spannedStream(tracer, `compute ${taskName}`, routerCallSpanOptions(taskName, strategy), open);
}

/**
 * The router's span for a stream's attempt on one backend, as for a call's:
 * a client span, active while the backend's `streamTask` is called and its
 * first step taken, so that the backend carries the trace on (a worker
 * message, a `traceparent` header, a WebSocket frame). It ends with the
 * stream.
 *
 * @internal Used by the router.
 */
export function traceStreamAttempt(tracer: TracerLike, taskName: string, backendName: string, reason: PlacementReason, open: () => AsyncIterable<unknown>): AsyncIterableIterator<unknown> {
  return spannedStream(tracer, attemptSpanName(taskName), attemptSpanOptions(taskName, backendName, reason), open);
}

/**
 * A stream read inside a span. Nothing starts until the first `next()`
 * (streams are lazy); then the span starts, active while `open` runs and
 * its first step is asked for. It ends once: with `hybridcompute.outcome`
 * `'OK'` when the stream is done, as {@link endFailed} when a step rejects
 * (or `open` throws), and `'OK'` with {@link streamClosedEarlyAttribute}
 * when the reader calls `return()`. A reader that returns before its first
 * step opened nothing, so no span is made.
 */
function spannedStream(tracer: TracerLike, name: string, options: TraceSpanOptions, open: () => AsyncIterable<unknown>): AsyncIterableIterator<unknown> {
  let inner: AsyncIterator<unknown> | undefined;
  let span: SpanLike | undefined;
  let over = false;
  const endOk = (closedEarly: boolean): void => {
    if (over || span === undefined) return;
    over = true;
    if (span.isRecording()) {
      span.setAttribute(outcomeAttribute, 'OK');
      if (closedEarly) span.setAttribute(streamClosedEarlyAttribute, true);
    }
    span.end();
  };
  const step = (next: Promise<IteratorResult<unknown>>): Promise<IteratorResult<unknown>> =>
    next.then(
      (result) => {
        if (result.done === true) endOk(false);
        return result;
      },
      (error: unknown) => {
        if (!over && span !== undefined) {
          over = true;
          endFailed(span, error);
        }
        throw error;
      },
    );
  const iterator: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]: () => iterator,
    next(): Promise<IteratorResult<unknown>> {
      if (inner !== undefined) return over ? inner.next() : step(inner.next());
      if (over) return Promise.resolve(finished);
      // Synchronous: `inner` is set before this returns, so a second next() never opens again.
      return step(
        tracer.startActiveSpan(name, options, (started) => {
          span = started;
          try {
            inner = open()[Symbol.asyncIterator]();
            return inner.next();
          } catch (error) {
            return Promise.reject(error);
          }
        }),
      );
    },
    async return(): Promise<IteratorResult<unknown>> {
      if (inner === undefined) {
        over = true;
        return finished;
      }
      try {
        await inner.return?.();
        return finished;
      } finally {
        endOk(true);
      }
    },
  };
  return iterator;
}
