import { ComputeError } from '@hybridcompute/core';
import { jsonCodec, type WireCodec, type WireEncoding } from '@hybridcompute/wire/json';
import { loadedMsgpackCodec } from './msgpack-codec-loader.js';
import type { RemoteEncoding } from './remote-backend-options.js';

/**
 * The codec a call goes out in: the one the `encoding` option forces, or
 * under `'auto'` MessagePack when the server offers it and JSON otherwise;
 * `undefined` when that is MessagePack and its codec is not loaded yet
 * (`loadMsgpackCodec`).
 *
 * @example
 * ```ts
 * codecFor('auto', ['msgpack', 'json']); // the MessagePack codec, once loaded
 * codecFor('auto', undefined); // jsonCodec: nothing is known of the server yet
 * ```
 */
export function codecFor(preference: RemoteEncoding, offered: readonly WireEncoding[] | undefined): WireCodec | undefined {
  if (preference === 'json') return jsonCodec;
  if (preference === 'msgpack' || offered?.includes('msgpack') === true) return loadedMsgpackCodec();
  return jsonCodec;
}

/**
 * The `INVALID_REQUEST` a call is refused with, before it leaves, when its
 * input holds a value `codec` would change, naming where it is
 * (`input.pixels: a Uint8Array cannot travel as JSON`); `undefined` when it
 * can go. Nothing is ever sent changed.
 *
 * @example
 * ```ts
 * const refusal = refusalToSend(jsonCodec, { pixels: new Uint8Array(4) }, 'blur', 'remote', url);
 * if (refusal !== undefined) throw refusal;
 * ```
 */
export function refusalToSend(codec: WireCodec, input: unknown, taskName: string, backend: string, url: URL): ComputeError | undefined {
  const mismatch = codec.mismatchOf(input, 'input');
  if (mismatch === undefined) return undefined;
  const why = codec.encoding === 'json' ? `; ${url.origin} is spoken to in JSON (it does not offer MessagePack, or encoding is 'json')` : '';
  return new ComputeError({ code: 'INVALID_REQUEST', message: `${mismatch}${why}`, taskName, backend });
}
