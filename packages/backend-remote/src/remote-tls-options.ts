import { invalidArgumentError } from '@hybridcompute/core';
import type { WebSocketFactory } from './websocket-like.js';

/**
 * The `tls` option of `createRemoteBackend` (Node, Bun and Deno): the CA that signed the
 * servers' certificates, for `https:` and `wss:` endpoints that a public CA
 * did not sign, and a client certificate for servers that ask for one
 * (mutual TLS). HTTP and the WebSocket both use it.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const tls: RemoteTlsOptions = {
 *   ca: readFileSync('/etc/compute/ca.crt'),
 *   cert: readFileSync('/etc/compute/client.crt'),
 *   key: readFileSync('/etc/compute/client.key'),
 * };
 * const remote = createRemoteBackend({ endpoint: 'https://compute.internal:8443/compute', tls });
 * ```
 */
export interface RemoteTlsOptions {
  /** The certificates to trust instead of the system's, PEM. */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined;
  /** The client certificate (mutual TLS), PEM; with `key`. */
  cert?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined;
  /** The client certificate's private key, PEM; with `cert`. */
  key?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined;
}

/**
 * What undici's dispatchers have, for the `dispatcher` option: an `Agent`
 * with `connect` options, a `ProxyAgent`, a `MockAgent` of your tests.
 *
 * @example
 * ```ts
 * import { Agent } from 'undici';
 *
 * const dispatcher: RemoteDispatcher = new Agent({ connect: { ca }, connections: 32 });
 * const remote = createRemoteBackend({ endpoint: 'https://compute.internal:8443/compute', dispatcher });
 * ```
 */
export interface RemoteDispatcher {
  dispatch(...args: never[]): unknown;
}

/**
 * The `tls` option once checked, as a platform's transports receive it
 * (`HttpTransportOptions.tls`, the WebSocket factory's `options.tls`): what
 * node:tls, and so undici's `connect` and `ws`, take.
 *
 * @example
 * ```ts
 * const createWebSocket: WebSocketFactory = (url, token, options) =>
 *   new WebSocket(url, { ...(options?.tls satisfies TlsClientSettings | undefined), headers: { authorization: `Bearer ${token}` } }) as unknown as WebSocketLike;
 * ```
 */
export interface TlsClientSettings {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer | (string | Buffer)[];
  key?: string | Buffer | (string | Buffer)[];
}

/** Checks the `tls` option; throws `INVALID_REQUEST` naming the field that is wrong. */
export function readRemoteTlsOptions(tls: unknown): TlsClientSettings | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) throw invalid('tls must be an object { ca?, cert?, key? }');
  const { ca, cert, key } = tls as RemoteTlsOptions;
  if ((cert === undefined) !== (key === undefined)) throw invalid('tls.cert and tls.key go together: give both for a client certificate, or neither');
  if (ca === undefined && cert === undefined) throw invalid('tls needs ca, or cert and key');
  const settings: TlsClientSettings = {};
  if (ca !== undefined) settings.ca = pem(ca, 'tls.ca');
  if (cert !== undefined) settings.cert = pem(cert, 'tls.cert');
  if (key !== undefined) settings.key = pem(key, 'tls.key');
  return settings;
}

/** Checks the `dispatcher` option: an undici dispatcher (anything with `dispatch()`). */
export function readRemoteDispatcher(dispatcher: unknown): RemoteDispatcher | undefined {
  if (dispatcher === undefined) return undefined;
  if (typeof (dispatcher as { dispatch?: unknown } | null)?.dispatch !== 'function') throw invalid('dispatcher must be a Dispatcher (an Agent, a Pool, a ProxyAgent: anything with dispatch())');
  return dispatcher as RemoteDispatcher;
}

function pem(value: unknown, name: string): string | Buffer | (string | Buffer)[] {
  const one = (item: unknown): string | Buffer => {
    if (typeof item === 'string' && item.length > 0) return item;
    // node:tls wants Buffers; the browser build (which ignores tls) has no Buffer.
    if (item instanceof Uint8Array && item.byteLength > 0) return typeof Buffer === 'function' ? Buffer.from(item.buffer, item.byteOffset, item.byteLength) : (item as Buffer);
    throw invalid(`${name} must be PEM text or bytes (a string, a Buffer or an array of them)`);
  };
  if (Array.isArray(value)) {
    if (value.length === 0) throw invalid(`${name} must not be an empty array`);
    return value.map(one);
  }
  return one(value);
}

function invalid(message: string): TypeError {
  return invalidArgumentError(`createRemoteBackend: ${message}`);
}

/** The platform's WebSocket factory, handed the `tls` option too: the channel and its connector need not know of it. */
export function withTls(factory: WebSocketFactory, tls: TlsClientSettings | undefined): WebSocketFactory {
  if (tls === undefined) return factory;
  return (url, token, options) => factory(url, token, { maxResponseBytes: Number.POSITIVE_INFINITY, ...options, tls });
}
