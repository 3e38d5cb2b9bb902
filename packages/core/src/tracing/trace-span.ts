import { ComputeError } from '../compute-error.js';
import { messageOf } from '../message-of.js';
import { traceStatusCode, type SpanLike, type TraceSpanOptions, type TracerLike } from './tracer-like.js';

/**
 * The attribute that carries a call's outcome code: `'OK'`, or the
 * `ComputeError` code it failed with.
 *
 * @example
 * ```ts
 * const failed = spans.filter((span) => span.attributes[outcomeAttribute] !== 'OK');
 * ```
 */
export const outcomeAttribute = 'hybridcompute.outcome';

/**
 * Runs `run` inside a new active span and ends the span when the promise
 * settles: a fulfilled call is marked `hybridcompute.outcome: 'OK'`; a
 * rejected one gets its error code as `hybridcompute.outcome` and
 * `error.type` (OpenTelemetry's convention), the exception recorded, and
 * status `ERROR`. The call's outcome is never changed, and a span whose
 * tracer records nothing costs no attribute work. Every hybrid-compute
 * package makes its spans through this, so they all read alike.
 *
 * @example
 * ```ts
 * const result = await traceSpan(tracer, 'resize', { kind: traceSpanKind.internal, attributes: { 'hybridcompute.task': 'resize' } }, () => resize(image));
 * ```
 */
export function traceSpan<Result>(
  tracer: TracerLike,
  name: string,
  options: TraceSpanOptions,
  run: (span: SpanLike) => Promise<Result> | Result,
): Promise<Result> {
  return tracer.startActiveSpan(name, options, (span) => {
    let settled: Promise<Result>;
    try {
      settled = Promise.resolve(run(span));
    } catch (error) {
      settled = Promise.reject(error);
    }
    return settled.then(
      (value) => {
        if (span.isRecording()) span.setAttribute(outcomeAttribute, 'OK');
        span.end();
        return value;
      },
      (error: unknown) => {
        endFailed(span, error);
        throw error;
      },
    );
  });
}

/**
 * Ends a span as failed with `error`: outcome code, `error.type`, the
 * exception and status `ERROR`.
 *
 * @example
 * ```ts
 * tracer.startActiveSpan('enqueue resize', {}, (span) => queue.add('resize', data).then(() => span.end(), (error) => endFailed(span, error)));
 * ```
 */
export function endFailed(span: SpanLike, error: unknown): void {
  if (span.isRecording()) {
    const code = ComputeError.isInstance(error) ? error.code : 'ERROR';
    span.setAttribute(outcomeAttribute, code);
    span.setAttribute('error.type', code);
    span.recordException(error instanceof Error ? error : messageOf(error));
    span.setStatus({ code: traceStatusCode.error, message: messageOf(error) });
  }
  span.end();
}
