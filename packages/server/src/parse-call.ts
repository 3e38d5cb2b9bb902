import { ComputeError, maxTimerDelay } from '@hybridcompute/core';
import { refusal } from './error-body-of.js';
import type { ServerTraceContext } from './trace-server-call.js';

/** What a request body or WebSocket frame asks for, once checked. */
export interface ParsedCall {
  task: string;
  input: unknown;
  /** Set by the handler when `@opentelemetry/api` is installed: the call is then traced. */
  trace?: ServerTraceContext | undefined;
  /**
   * Present for a stream (`streamTask`): over WebSocket the chunks the
   * client lets the server send before it grants more (its highWaterMark);
   * over HTTP `true` (TCP's own backpressure paces the answer).
   */
  stream?: number | true;
  /** The caller passed `onProgress`: progress values travel (WebSocket; over HTTP the `Accept` asks). */
  progress?: true;
}

/**
 * Checks a parsed body against the protocol: an object with a non-empty
 * string `task`, `input` optional. Only own properties count, so a
 * `__proto__` key in the JSON cannot supply `task`.
 */
export function parseCall(value: unknown): ParsedCall | ComputeError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refusal('INVALID_REQUEST', 'The body must be a JSON object { task, input }');
  }
  const task = Object.hasOwn(value, 'task') ? (value as { task?: unknown }).task : undefined;
  if (typeof task !== 'string' || task.length === 0) {
    return refusal('INVALID_REQUEST', "The body's 'task' must be a non-empty string");
  }
  const parsed: ParsedCall = { task, input: Object.hasOwn(value, 'input') ? (value as { input?: unknown }).input : undefined };
  const { stream, progress } = value as { stream?: unknown; progress?: unknown };
  if (stream !== undefined) {
    if (stream !== true && !(typeof stream === 'number' && Number.isInteger(stream) && stream >= 1 && stream <= 65_536)) {
      return refusal('INVALID_REQUEST', "The body's 'stream' must be true or a whole number of chunks from 1 to 65536", task);
    }
    parsed.stream = stream;
  }
  if (progress === true) parsed.progress = true;
  return parsed;
}

/** A caller's deadline in milliseconds, or undefined when absent or not a positive number. */
export function parseDeadline(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Number(value) : value;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? Math.min(ms, maxTimerDelay) : undefined;
}
