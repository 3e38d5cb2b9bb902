import { invalidArgumentError } from '@hybridcompute/core';
import type { EndedCall } from './observed-call-runner.js';

/**
 * One access-log line: what {@link AccessLogger.info} receives for every
 * call. Never the call's input or output.
 *
 * @example
 * ```ts
 * const line: AccessLogFields = { task: 'resize', code: 'OK', durationMs: 12.4, address: '10.0.0.7', transport: 'http' };
 * ```
 */
export interface AccessLogFields {
  task: string;
  /**
   * `'OK'` or the error code the caller was answered with (`TASK_TIMEOUT`,
   * `QUEUE_FULL`, ...): a result or stream chunk the caller's encoding cannot
   * carry is `TASK_FAILED`, and so is a stream that fails after its first chunks.
   */
  code: string;
  /** Milliseconds from the call reaching the server's admission to its answer's last byte or frame (a stream's end). */
  durationMs: number;
  /** The caller's address as the server sees it (a proxy's, behind one), read when the call started. */
  address: string | undefined;
  transport: 'http' | 'websocket';
}

/**
 * What the `logger` option takes: anything with pino's `info(object, message)`,
 * such as a pino logger or a child of one.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 *
 * const server = createComputeServer({ tasks, logger: pino() });
 * // {"level":30,"task":"double","code":"OK","durationMs":0.21,"address":"127.0.0.1","transport":"http","msg":"call"}
 * ```
 */
export interface AccessLogger {
  info(fields: AccessLogFields, message?: string): void;
}

/** Checks the `logger` option: `undefined`, or an object with an `info` method. */
export function readAccessLogger(logger: unknown): AccessLogger | undefined {
  if (logger === undefined) return undefined;
  if (typeof (logger as { info?: unknown } | null)?.info !== 'function') {
    throw invalidArgumentError('createComputeServer: logger must have an info(fields, message) method, as pino loggers do');
  }
  return logger as AccessLogger;
}

// A task name is the caller's text: keep a hostile one from filling the log.
const longestLoggedName = 200;

/** Writes the access-log line of one call. */
export function logCall(logger: AccessLogger, call: EndedCall): void {
  const task = call.task.length > longestLoggedName ? `${call.task.slice(0, longestLoggedName)}…` : call.task;
  logger.info(
    {
      task,
      code: call.code,
      durationMs: Math.round(call.durationMs * 1000) / 1000,
      address: call.origin.address ?? (call.origin.socket as { remoteAddress?: string }).remoteAddress,
      transport: call.origin.transport,
    },
    'call',
  );
}

/**
 * An {@link AccessLogger} that writes one JSON object per line: what the
 * CLI's `--log` uses.
 *
 * @example
 * ```ts
 * const server = createComputeServer({ tasks, logger: jsonLinesLogger((line) => process.stdout.write(line)) });
 * // {"time":"2026-12-01T12:00:00.000Z","level":"info","msg":"call","task":"double","code":"OK",...}
 * ```
 */
export function jsonLinesLogger(write: (line: string) => void): { info(fields: object, message?: string): void } {
  return {
    info(fields, message) {
      write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: message, ...fields })}\n`);
    },
  };
}
