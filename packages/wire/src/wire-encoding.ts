/**
 * The encodings a value can travel in: JSON (the protocol's original, what
 * `@hybrid-compute/remote` peers speak) and MessagePack with structured-clone
 * extensions (every value the structured-clone algorithm keeps).
 *
 * @example
 * ```ts
 * const encoding: WireEncoding = server.encodings.includes('msgpack') ? 'msgpack' : 'json';
 * ```
 */
export type WireEncoding = 'json' | 'msgpack';

/**
 * Every encoding this version speaks, preferred first: what a server lists
 * on `GET /tasks` and in the `x-compute-encodings` header.
 *
 * @example
 * ```ts
 * response.setHeader(encodingsHeader, wireEncodings.join(', ')); // 'msgpack, json'
 * ```
 */
export const wireEncodings: readonly WireEncoding[] = Object.freeze(['msgpack', 'json']);

/**
 * The `Content-Type` each encoding travels under over HTTP.
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'POST', headers: { 'content-type': contentTypeOf.msgpack }, body });
 * ```
 */
export const contentTypeOf: Readonly<Record<WireEncoding, string>> = Object.freeze({
  json: 'application/json',
  msgpack: 'application/vnd.msgpack',
});

/**
 * The WebSocket subprotocol that selects each encoding. A socket opened
 * without one speaks JSON in text frames, as `@hybrid-compute/remote` does;
 * under `hybrid-compute.msgpack` every frame is binary MessagePack.
 *
 * @example
 * ```ts
 * const socket = new WebSocket(url, [subprotocolOf.msgpack]);
 * ```
 */
export const subprotocolOf: Readonly<Record<WireEncoding, string>> = Object.freeze({
  json: 'hybrid-compute.json',
  msgpack: 'hybrid-compute.msgpack',
});

/**
 * The response header in which a server lists the encodings it speaks, so
 * that a client learns them from any answer, not only from `GET /tasks`.
 *
 * @example
 * ```ts
 * const offered = parseEncodings(response.headers.get(encodingsHeader)); // ['msgpack', 'json']
 * ```
 */
export const encodingsHeader = 'x-compute-encodings';

const msgpackTypes = new Set(['application/vnd.msgpack', 'application/msgpack', 'application/x-msgpack']);

/**
 * The encoding a `Content-Type` (or `Accept`) value names: MessagePack for
 * `application/vnd.msgpack`, `application/msgpack` and `application/x-msgpack`;
 * JSON for JSON types and for no value at all (older peers send none);
 * `undefined` for anything else, which a server refuses with 415.
 *
 * @example
 * ```ts
 * encodingOfContentType('application/vnd.msgpack'); // 'msgpack'
 * encodingOfContentType('application/json; charset=utf-8'); // 'json'
 * encodingOfContentType(undefined); // 'json'
 * encodingOfContentType('text/plain'); // undefined
 * ```
 */
export function encodingOfContentType(value: string | null | undefined): WireEncoding | undefined {
  if (value === undefined || value === null || value === '') return 'json';
  // A peer sends the same Content-Type on every message: it is read once.
  if (value === lastContentType) return lastEncoding;
  const type = (value.split(';', 1)[0] ?? '').trim().toLowerCase();
  const encoding = msgpackTypes.has(type) ? 'msgpack' : type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json')) ? 'json' : undefined;
  lastContentType = value;
  lastEncoding = encoding;
  return encoding;
}

let lastContentType: string | undefined;
let lastEncoding: WireEncoding | undefined;

/**
 * The encodings a peer lists (in `GET /tasks`' `encodings` or the
 * {@link encodingsHeader} header), keeping only the ones this version
 * knows. Anything unreadable is an empty list: the peer offers only JSON.
 *
 * @example
 * ```ts
 * parseEncodings('msgpack, json'); // ['msgpack', 'json']
 * parseEncodings(['msgpack', 'cbor']); // ['msgpack']
 * parseEncodings(undefined); // []
 * ```
 */
export function parseEncodings(value: unknown): WireEncoding[] {
  const listed = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  const known: WireEncoding[] = [];
  for (const entry of listed) {
    const name = typeof entry === 'string' ? entry.trim().toLowerCase() : '';
    if ((name === 'json' || name === 'msgpack') && !known.includes(name)) known.push(name);
  }
  return known;
}
