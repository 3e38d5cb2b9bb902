import { ComputeError, maxTimerDelay } from '@hybridcompute/core';
import { refusal } from './error-body-of.js';
import type { ServerTraceContext } from './trace-server-call.js';

/** What a request body or WebSocket frame asks for, once checked. */
export interface ParsedCall {
  task: string;
  input: unknown;
  /** Set by the handler when `@opentelemetry/api` is installed: the call is then traced. */
  trace?: ServerTraceContext | undefined;
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
  return { task, input: Object.hasOwn(value, 'input') ? (value as { input?: unknown }).input : undefined };
}

/** A caller's deadline in milliseconds, or undefined when absent or not a positive number. */
export function parseDeadline(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Number(value) : value;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? Math.min(ms, maxTimerDelay) : undefined;
}
