import { jsonLinesLogger, type AccessLogger } from './access-log.js';

/**
 * Where the CLI writes: plain `hybrid-compute-server: ...` lines, or with
 * `--log` JSON lines on standard output, its own lines and the access log
 * alike, so a log shipper reads one format.
 */
export interface CliOutput {
  info(message: string, fields?: Record<string, unknown>): void;
  /** The access logger for `createComputeServer`, with `--log`. */
  accessLogger: AccessLogger | undefined;
}

/** The CLI's output for `--log` (JSON lines) or without it (plain lines). */
export function cliOutput(log: boolean, write: (line: string) => void = (line) => void process.stdout.write(line)): CliOutput {
  if (!log) return { info: (message) => write(`hybrid-compute-server: ${message}\n`), accessLogger: undefined };
  const logger = jsonLinesLogger(write);
  return {
    info: (message, fields = {}) => logger.info(fields, message),
    accessLogger: logger,
  };
}
