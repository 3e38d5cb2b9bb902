import { parseArgs } from 'node:util';
import { invalidArgumentError, maxTimerDelay } from '@hybridcompute/core';

/** What the `hybrid-compute-server` command line asks for. */
export interface CliOptions {
  tasksModule: string;
  port: number;
  host: string;
  token: string | undefined;
  maxConcurrency: number | undefined;
  taskTimeout: number | undefined;
  path: string | undefined;
  /** Worker threads to run the tasks on; `undefined` runs them on the server's own thread. */
  workers: number | undefined;
  /** Milliseconds a SIGTERM or SIGINT waits for calls in flight; `undefined` keeps the server's default. */
  drainTimeout: number | undefined;
  /** Files of the TLS key, certificate and client CA; set together (key and cert) or not at all. */
  tls: { keyFile: string; certFile: string; caFile: string | undefined; requestCert: boolean } | undefined;
  /** `GET /metrics`: `false`, on the server's port, or on a port of its own. */
  metrics: false | { port: number | undefined; host: string | undefined };
  /** An access log as JSON lines on standard output. */
  log: boolean;
  help: boolean;
}

/** The most worker threads `--workers` accepts: far more than any machine's cores, so a typo cannot start thousands. */
export const maxCliWorkers = 256;

/** The CLI's usage text. */
export const cliUsage = `Usage: hybrid-compute-server <tasks-module> [options]

Serves the task definitions a module exports over HTTP and WebSocket.

Options:
  --port <n>             port to listen on (default 8080; 0 picks a free one)
  --host <host>          interface to listen on (default 127.0.0.1)
  --token <token>        bearer token every call must carry (or HYBRIDCOMPUTE_TOKEN)
  --max-concurrency <n>  calls running at once; more are answered 503 (default 256)
  --task-timeout <ms>    longest a call may run before it is answered 504
  --path <path>          path of POST /compute and the WebSocket (default /compute)
  --workers <n>          run the tasks on a pool of n worker threads (1 to ${maxCliWorkers});
                         needs @hybridcompute/backend-worker installed
  --drain-timeout <ms>   on SIGTERM or SIGINT, how long calls in flight may finish
                         before they are stopped (default 10000); a second signal exits at once
  --tls-key <file>       serve https and wss with this private key (PEM) ...
  --tls-cert <file>      ... and this certificate (PEM); both or neither
  --tls-ca <file>        CA certificates (PEM) that sign client certificates
  --tls-request-cert     refuse clients without a certificate --tls-ca signed (mutual TLS)
  --metrics              serve Prometheus metrics on GET /metrics (behind --token when set)
  --metrics-port <n>     serve them on a port of their own instead (implies --metrics)
  --metrics-host <host>  the interface of --metrics-port (default 127.0.0.1)
  --log                  write an access log, one JSON line per call, to standard output
  -h, --help             print this text`;

/**
 * Reads the command line (without the node and script arguments) and the
 * environment into options.
 *
 * @throws TypeError (code `INVALID_REQUEST`) with a message fit for the user.
 */
export function parseCliArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        'max-concurrency': { type: 'string' },
        'task-timeout': { type: 'string' },
        path: { type: 'string' },
        workers: { type: 'string' },
        'drain-timeout': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-request-cert': { type: 'boolean' },
        metrics: { type: 'boolean' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        log: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw invalidArgumentError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 1) throw invalidArgumentError('expected exactly one tasks module');
  // Checked here, where a mistake earns the usage text, not in createComputeServer, where it would be a crash.
  if (values.path !== undefined && !values.path.startsWith('/')) throw invalidArgumentError(`--path must start with '/', got '${values.path}'`);
  if (values.token === '') throw invalidArgumentError('--token must not be empty');
  return {
    tasksModule: positionals[0] ?? '',
    port: integer(values.port, '--port', 0, 65_535) ?? 8080,
    host: values.host ?? '127.0.0.1',
    token: values.token ?? (env['HYBRIDCOMPUTE_TOKEN'] || undefined),
    maxConcurrency: integer(values['max-concurrency'], '--max-concurrency', 1),
    taskTimeout: integer(values['task-timeout'], '--task-timeout', 1, maxTimerDelay),
    path: values.path,
    workers: integer(values.workers, '--workers', 1, maxCliWorkers),
    drainTimeout: integer(values['drain-timeout'], '--drain-timeout', 0, maxTimerDelay),
    tls: tlsFlags(values),
    metrics: metricsFlags(values),
    log: values.log === true,
    help,
  };
}

function tlsFlags(values: { 'tls-key'?: string | undefined; 'tls-cert'?: string | undefined; 'tls-ca'?: string | undefined; 'tls-request-cert'?: boolean | undefined }): CliOptions['tls'] {
  const { 'tls-key': keyFile, 'tls-cert': certFile, 'tls-ca': caFile } = values;
  const requestCert = values['tls-request-cert'] === true;
  if (keyFile === undefined && certFile === undefined) {
    if (caFile !== undefined || requestCert) throw invalidArgumentError('--tls-ca and --tls-request-cert need --tls-key and --tls-cert');
    return undefined;
  }
  if (keyFile === undefined || certFile === undefined) throw invalidArgumentError('--tls-key and --tls-cert go together: give both');
  if (requestCert && caFile === undefined) throw invalidArgumentError('--tls-request-cert needs --tls-ca, the certificates that sign client certificates');
  return { keyFile, certFile, caFile, requestCert };
}

function metricsFlags(values: { metrics?: boolean | undefined; 'metrics-port'?: string | undefined; 'metrics-host'?: string | undefined }): CliOptions['metrics'] {
  const port = integer(values['metrics-port'], '--metrics-port', 0, 65_535);
  const host = values['metrics-host'];
  if (host !== undefined && port === undefined) throw invalidArgumentError('--metrics-host needs --metrics-port');
  if (values.metrics !== true && port === undefined) return false;
  return { port, host };
}

function integer(value: string | undefined, flag: string, min: number, max = Number.POSITIVE_INFINITY): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    const range = max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`;
    throw invalidArgumentError(`${flag} must be an integer ${range}, got '${value}'`);
  }
  return number;
}
