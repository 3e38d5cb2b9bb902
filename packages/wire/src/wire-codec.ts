import type { WireEncoding } from './wire-encoding.js';

/**
 * One encoding of the protocol's messages, as an object the remote backend,
 * the server and the BullMQ backend swap by name (see {@link codecOf}).
 *
 * @example
 * ```ts
 * const codec: WireCodec = codecOf('msgpack');
 * const mismatch = codec.mismatchOf(input, 'input'); // a value it would change, or undefined
 * const body = codec.encode({ task: 'blur', input });
 * const answer = codec.decode(await readBody(response)); // PROTOCOL_ERROR if not this encoding
 * ```
 */
export interface WireCodec {
  readonly encoding: WireEncoding;
  /** The `Content-Type` of a body in this encoding. */
  readonly contentType: string;
  /**
   * Where this encoding would change `value` (a value that does not come
   * back as `structuredClone` would give it), as `"input.pixels: a
   * Uint8Array cannot travel as JSON"`; `undefined` when it carries it.
   * Check inputs and results with it before `encode`: nothing is changed silently.
   */
  mismatchOf(value: unknown, path: string): string | undefined;
  /**
   * Encodes a message: a string for JSON (a text frame), bytes for
   * MessagePack (a binary frame). Throws what the encoder throws (a cycle
   * for JSON, a value too deep); check with `mismatchOf` first.
   */
  encode(message: unknown): string | Uint8Array;
  /**
   * Decodes what a peer sent. Throws a `ComputeError` with code
   * `PROTOCOL_ERROR` for input that is not this encoding; never anything else.
   */
  decode(data: string | Uint8Array): unknown;
  /**
   * Decodes the whole messages at the start of `bytes`, a streamed answer's
   * body so far (NDJSON lines for JSON, values back to back for MessagePack),
   * handing each to `onMessage` in order, and returns how many bytes they
   * took: a message cut off at the end waits for the next call. Throws for
   * bytes that are not this encoding. Each codec reads its own sequences,
   * so that a reader of JSON never loads MessagePack's.
   */
  decodeSequence(bytes: Uint8Array, onMessage: (message: unknown) => void): number;
}
