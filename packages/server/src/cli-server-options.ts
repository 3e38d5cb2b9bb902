import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf } from '@hybridcompute/core';
import type { CliBackend } from './backend-from-cli-options.js';
import type { ComputeServerOptions } from './compute-server-options.js';
import type { AccessLogger } from './access-log.js';
import type { CliOptions } from './parse-cli-args.js';

/**
 * The `createComputeServer` options the command line asks for. Reads the TLS
 * files.
 *
 * @throws Error with a message for the user (the CLI prints it and exits 1)
 *   when a TLS file cannot be read.
 */
export function serverOptionsFromCli(options: CliOptions, served: CliBackend, accessLogger: AccessLogger | undefined): ComputeServerOptions {
  const { tls, metrics } = options;
  return {
    ...(served.tasks === undefined ? { backend: served.backend } : { tasks: served.tasks }),
    taskNames: served.taskNames,
    token: options.token,
    maxConcurrency: options.maxConcurrency,
    taskTimeout: options.taskTimeout,
    drainTimeout: options.drainTimeout,
    path: options.path,
    tls:
      tls === undefined
        ? undefined
        : {
            key: readPem(tls.keyFile, '--tls-key'),
            cert: readPem(tls.certFile, '--tls-cert'),
            ca: tls.caFile === undefined ? undefined : readPem(tls.caFile, '--tls-ca'),
            requestCert: tls.requestCert,
          },
    metrics: metrics === false ? undefined : metrics.port === undefined ? true : { port: metrics.port, host: metrics.host },
    logger: accessLogger,
  };
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'permission denied' : messageOf(error);
    throw new Error(`cannot read ${flag} ${resolve(file)}: ${reason}`, { cause: error });
  }
}
