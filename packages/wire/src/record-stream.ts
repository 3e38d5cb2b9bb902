import { ComputeError, messageOf } from '@hybridcompute/core';
import { isBlankLine } from './json-codec.js';
import type { WireCodec } from './wire-codec.js';
import type { WireEncoding } from './wire-encoding.js';

/**
 * The media types of a streamed HTTP answer, by encoding: NDJSON (one JSON
 * record a line) and a MessagePack sequence (records back to back, each a
 * whole MessagePack value). A client asks for one with `Accept`.
 *
 * @example
 * ```ts
 * headers['accept'] = streamMediaTypeOf[codec.encoding]; // 'application/x-ndjson' for JSON
 * ```
 */
export const streamMediaTypeOf: Readonly<Record<WireEncoding, string>> = Object.freeze({
  json: 'application/x-ndjson',
  msgpack: 'application/vnd.hybridcompute.msgpack-seq',
});

/**
 * The streamed encoding an `Accept` or `Content-Type` header names, or
 * `undefined` when it names none (a plain answer).
 *
 * @example
 * ```ts
 * streamEncodingOf('application/x-ndjson'); // 'json'
 * streamEncodingOf('application/json'); // undefined
 * ```
 */
export function streamEncodingOf(header: string | string[] | null | undefined): WireEncoding | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // Cheap before exact: most requests ask for no stream at all.
  if (!value.includes('ndjson') && !value.includes('msgpack-seq')) return undefined;
  for (const entry of value.split(',')) {
    const [first, ...parameters] = entry.split(';');
    const type = (first ?? '').trim().toLowerCase();
    // `q=0` says the type is not acceptable (RFC 9110, 12.4.2).
    if (parameters.some((parameter) => /^\s*q\s*=\s*0(?:\.0{0,3})?\s*$/i.test(parameter))) continue;
    if (type === streamMediaTypeOf.json) return 'json';
    if (type === streamMediaTypeOf.msgpack) return 'msgpack';
  }
  return undefined;
}

/**
 * One record of a streamed answer, encoded: a JSON line (with its `\n`) or
 * a MessagePack value.
 *
 * @example
 * ```ts
 * response.write(encodeRecord(jsonCodec, { chunk: 1 })); // '{"chunk":1}\n'
 * ```
 */
export function encodeRecord(codec: WireCodec, record: unknown): string | Uint8Array {
  const encoded = codec.encode(record);
  return typeof encoded === 'string' ? `${encoded}\n` : encoded;
}

/**
 * Reads the records of a streamed answer from its body's pieces as they
 * arrive: a record split across pieces is kept until its end comes.
 *
 * @example
 * ```ts
 * const decoder = new RecordDecoder(jsonCodec);
 * decoder.push(new TextEncoder().encode('{"chunk":1}\n{"chu')); // [{ chunk: 1 }]
 * decoder.push(new TextEncoder().encode('nk":2}\n')); // [{ chunk: 2 }]
 * decoder.end(); // throws PROTOCOL_ERROR if a record was cut off
 * ```
 */
export class RecordDecoder {
  readonly #codec: WireCodec;
  #rest: Uint8Array | undefined;
  // A bad record found after good ones in the same piece: those are handed out first, this next.
  #failure: ComputeError | undefined;

  /** @param codec - the answer's encoding: each codec reads its own sequences (`decodeSequence`). */
  constructor(codec: WireCodec) {
    this.#codec = codec;
  }

  /** Bytes held for a record not yet complete. */
  get pendingBytes(): number {
    return this.#rest?.byteLength ?? 0;
  }

  /**
   * The whole records `piece` completes, in order. Records before a bad one
   * are returned; the next call (or {@link RecordDecoder.end}) throws.
   *
   * @throws ComputeError `PROTOCOL_ERROR` for bytes that are not records of this encoding.
   */
  push(piece: Uint8Array): unknown[] {
    if (this.#failure !== undefined) throw this.#failure;
    const bytes = this.#rest === undefined ? piece : join(this.#rest, piece);
    const records: unknown[] = [];
    let used: number;
    try {
      used = this.#codec.decodeSequence(bytes, (record) => records.push(record));
    } catch (error) {
      const failure = new ComputeError({ code: 'PROTOCOL_ERROR', message: `The streamed answer is not ${this.#codec.encoding === 'json' ? 'NDJSON' : 'a MessagePack sequence'}: ${messageOf(error)}`, cause: error });
      if (records.length === 0) throw failure;
      this.#failure = failure;
      this.#rest = undefined;
      return records;
    }
    this.#rest = used === bytes.byteLength ? undefined : bytes.subarray(used);
    return records;
  }

  /**
   * The body ended.
   *
   * @throws ComputeError `PROTOCOL_ERROR` when it ended inside a record.
   */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#rest !== undefined && !(this.#codec.encoding === 'json' && isBlankLine(this.#rest))) {
      throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `The streamed answer ended inside a record (${this.#rest.byteLength} bytes left)` });
    }
  }
}

function join(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.byteLength + second.byteLength);
  joined.set(first, 0);
  joined.set(second, first.byteLength);
  return joined;
}
