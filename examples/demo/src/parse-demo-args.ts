import { parseArgs } from 'node:util';
import { demoRuntimes, type DemoRuntime } from './relaunch-on-runtime.js';
import { demoBackendNames, type DemoBackendName } from './run-demo.js';

/** The demo's command line, checked. */
export interface DemoArgs {
  help: boolean;
  serve: boolean;
  batchSize: number;
  backends: DemoBackendName[];
  workers: number | undefined;
  port: number | undefined;
  concurrency: number;
  corsOrigins: string[] | undefined;
  /** `--runtime`: the runtime to run the demo on, when given. */
  runtime: DemoRuntime | undefined;
}

/** The demo's `--help` text. */
export const demoUsage = `Usage: pnpm demo [options]
       pnpm demo --serve [--port N] [--cors-origin URL ...]

Starts a compute server (the hybrid-compute-server CLI, in a child process) and
a worker pool, runs a batch of tasks (SHA-256, counting primes, a box blur)
through each backend by name and then through 'auto' (remote, worker, local),
kills the server halfway through 'auto' to show the router falling back, and
prints latency and throughput per backend.

  --batch N          calls per phase (default 300, 1 to 100000)
  --backends LIST    comma-separated subset of local,worker,remote (default all)
  --workers N        worker pool size (default: cores less one for the server, 1 to 4; 1 to 64)
  --concurrency N    calls in flight at once (default 16, 1 to 256)
  --port N           the compute server's port (default: a free one; 8787 with --serve)
  --serve            only serve the demo's tasks (for the browser example) until Ctrl-C
  --cors-origin URL  with --serve: an origin whose pages may call the server
                     (repeatable; default the Vite dev and preview origins)
  --runtime NAME     run the demo (and its server and workers) on node, bun or deno
                     (default: the runtime running this; bun and deno: the pinned ones)
  --help             show this text`;

/** A command line the demo cannot take; its message is one line for the user. */
export class DemoArgsError extends Error {
  override readonly name = 'DemoArgsError';
}

/**
 * Reads the demo's flags.
 *
 * @throws DemoArgsError for an unknown flag or a value out of range.
 *
 * @example
 * ```ts
 * parseDemoArgs(['--batch', '60', '--backends', 'local,remote']); // { batchSize: 60, backends: ['local', 'remote'], ... }
 * ```
 */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean' },
        serve: { type: 'boolean' },
        batch: { type: 'string' },
        backends: { type: 'string' },
        workers: { type: 'string' },
        port: { type: 'string' },
        concurrency: { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        runtime: { type: 'string' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    throw new DemoArgsError((error as Error).message);
  }
  const backends = values.backends === undefined ? [...demoBackendNames] : values.backends.split(',').map((name) => name.trim());
  const unknown = backends.filter((name) => !(demoBackendNames as readonly string[]).includes(name));
  if (unknown.length > 0 || backends.length === 0) {
    throw new DemoArgsError(`--backends takes a comma-separated subset of ${demoBackendNames.join(',')}, got '${values.backends}'`);
  }
  const corsOrigins = values['cors-origin'];
  if (corsOrigins !== undefined && values.serve !== true) throw new DemoArgsError('--cors-origin only applies with --serve');
  for (const origin of corsOrigins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new DemoArgsError(`--cors-origin takes an origin such as http://localhost:5173, got '${origin}'`);
  }
  const runtime = values.runtime;
  if (runtime !== undefined && !(demoRuntimes as readonly string[]).includes(runtime)) {
    throw new DemoArgsError(`--runtime takes one of ${demoRuntimes.join(', ')}, got '${runtime}'`);
  }
  return {
    help: values.help === true,
    serve: values.serve === true,
    batchSize: integerFlag('batch', values.batch, 1, 100_000) ?? 300,
    backends: [...new Set(backends)] as DemoBackendName[],
    workers: integerFlag('workers', values.workers, 1, 64),
    port: integerFlag('port', values.port, 0, 65_535),
    concurrency: integerFlag('concurrency', values.concurrency, 1, 256) ?? 16,
    corsOrigins,
    runtime: runtime as DemoRuntime | undefined,
  };
}

function integerFlag(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new DemoArgsError(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}
