import { jsonCodec } from './json-codec.js';
import { msgpackCodec } from './msgpack-codec.js';
import type { WireCodec } from './wire-codec.js';
import type { WireEncoding } from './wire-encoding.js';

/**
 * The codec of an encoding.
 *
 * @example
 * ```ts
 * const codec = codecOf(encodingOfContentType(request.headers['content-type']) ?? 'json');
 * ```
 */
export function codecOf(encoding: WireEncoding): WireCodec {
  return encoding === 'msgpack' ? msgpackCodec : jsonCodec;
}
