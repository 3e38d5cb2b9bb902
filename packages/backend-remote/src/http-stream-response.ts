import type { WireEncoding } from '@hybridcompute/wire/json';
import type { HttpAnswer } from './http-transport.js';

/**
 * What an HTTP transport's `requestStream` hands back: a streamed answer
 * (`200` with an NDJSON or MessagePack-sequence `Content-Type`), its body
 * read piece by piece as the reader pulls (so TCP paces the server), or
 * any other answer read whole, as `request` would.
 *
 * @example
 * ```ts
 * const response: HttpStreamResponse = await transport.requestStream!('POST', url, headers, body, signal);
 * if (response.kind === 'plain') return readComputeAnswer(response.answer, url, taskName, backend);
 * for (let piece = await response.pieces.next(); !piece.done; piece = await response.pieces.next()) decoder.push(piece.value);
 * ```
 */
export type HttpStreamResponse =
  | { kind: 'plain'; answer: HttpAnswer }
  | {
      kind: 'stream';
      encoding: WireEncoding;
      /** As on {@link HttpAnswer}: what the answer's headers advertised. */
      maxConcurrency: number | undefined;
      encodings: readonly WireEncoding[] | undefined;
      /** The body's pieces as they arrive. */
      pieces: AsyncIterator<Uint8Array>;
      /** Stops reading and drops the request: the server sees its caller go. */
      cancel(): void;
    };
