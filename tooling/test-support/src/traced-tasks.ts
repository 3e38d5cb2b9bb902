import { defineTask } from '@hybridcompute/core';
import { trace } from '@opentelemetry/api';

/** The trace and span ids of the span active where it is called, or null. */
export function activeSpanIds(): { traceId: string; spanId: string } | null {
  const span = trace.getActiveSpan();
  return span === undefined ? null : { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
}

/**
 * The tasks the traced worker fixtures expose: a quick one, a slower one, one that fails, and
 * one that answers what the task itself sees ({@link activeSpanIds} in the worker).
 *
 * @example
 * registerThreadTracing();
 * exposeTasks([...tracedTasks, defineTask('more', () => 1)]);
 */
export const tracedTasks = [
  defineTask('double', (n: number) => n * 2),
  defineTask('slowDouble', async (n: number) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return n * 2;
  }),
  defineTask('fail', (): never => {
    throw new Error('the task broke');
  }),
  defineTask('activeSpan', () => activeSpanIds()),
];
