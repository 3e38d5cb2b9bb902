import { invalidArgumentError } from '@hybridcompute/core';

/**
 * PEM text or its bytes, or several (a chain, several CAs).
 *
 * @example
 * ```ts
 * const ca: PemInput = [readFileSync('ca-2025.crt'), readFileSync('ca-2026.crt')]; // trust both while rotating
 * ```
 */
export type PemInput = string | Uint8Array | readonly (string | Uint8Array)[];

/**
 * The `tls` option of {@link createComputeServer}: the server then speaks
 * `https` and `wss` on its one port. With `requestCert`, every client must
 * present a certificate signed by `ca` (mutual TLS); one without a
 * certificate, or with one `ca` did not sign, is refused during the TLS
 * handshake, before any request is read.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const tls: ComputeServerTlsOptions = {
 *   key: readFileSync('/etc/compute/server.key'),
 *   cert: readFileSync('/etc/compute/server.crt'),
 *   ca: readFileSync('/etc/compute/clients-ca.crt'),
 *   requestCert: true,
 * };
 * const server = createComputeServer({ tasks, tls });
 * const { url } = await server.listen(8443, '0.0.0.0'); // https://0.0.0.0:8443/compute
 * ```
 */
export interface ComputeServerTlsOptions {
  /** The server's private key, PEM. */
  key: PemInput;
  /** The server's certificate (and its chain), PEM. */
  cert: PemInput;
  /** The certificates that sign client certificates, PEM; needed with `requestCert`. */
  ca?: PemInput | undefined;
  /** Ask every client for a certificate and refuse those `ca` did not sign, or that send none. Default `false`. */
  requestCert?: boolean | undefined;
}

/** The options node:https takes for {@link ComputeServerTlsOptions}, once checked. */
export interface TlsServerSettings {
  key: string | Buffer | (string | Buffer)[];
  cert: string | Buffer | (string | Buffer)[];
  ca: string | Buffer | (string | Buffer)[] | undefined;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * Checks the `tls` option. Throws an `INVALID_REQUEST` TypeError naming
 * what is wrong; `undefined` stays `undefined` (plain HTTP).
 */
export function readTlsOptions(tls: unknown): TlsServerSettings | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null) throw invalid('tls must be an object { key, cert, ca?, requestCert? }');
  const { key, cert, ca, requestCert } = tls as ComputeServerTlsOptions;
  if (requestCert !== undefined && typeof requestCert !== 'boolean') throw invalid('tls.requestCert must be a boolean');
  const checkedCa = pem(ca, 'tls.ca');
  if (requestCert === true && checkedCa === undefined) throw invalid('tls.requestCert needs tls.ca, the certificates that sign client certificates');
  return {
    key: required(pem(key, 'tls.key'), 'tls.key'),
    cert: required(pem(cert, 'tls.cert'), 'tls.cert'),
    ca: checkedCa,
    requestCert: requestCert === true,
    // With requestCert, a client the CA did not vouch for is refused in the handshake, not let in unauthenticated.
    rejectUnauthorized: requestCert === true,
  };
}

function pem(value: unknown, name: string): string | Buffer | (string | Buffer)[] | undefined {
  if (value === undefined) return undefined;
  const one = (item: unknown): string | Buffer => {
    if (typeof item === 'string' && item.length > 0) return item;
    if (item instanceof Uint8Array && item.byteLength > 0) return Buffer.from(item.buffer, item.byteOffset, item.byteLength);
    throw invalid(`${name} must be PEM text or bytes (a string, a Buffer or an array of them), got ${describe(item)}`);
  };
  if (Array.isArray(value)) {
    if (value.length === 0) throw invalid(`${name} must not be an empty array`);
    return value.map(one);
  }
  return one(value);
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw invalid(`${name} is required with tls`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return 'an empty string';
  if (value instanceof Uint8Array) return 'empty bytes';
  return value === null ? 'null' : typeof value;
}

function invalid(message: string): TypeError {
  return invalidArgumentError(`createComputeServer: ${message}`);
}
