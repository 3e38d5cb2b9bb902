import { ComputeError } from '@hybridcompute/core';
import { jsonCodec, RecordDecoder } from '@hybridcompute/wire/json';
import { loadedMsgpackCodec } from './msgpack-codec-loader.js';
import type { HttpStreamResponse } from './http-stream-response.js';
import { responseTooLargeError } from './http-transport.js';

/**
 * One record of a streamed HTTP answer, by what it says:
 * `{ chunk }`, `{ progress }`, `{ end: true }` (a stream's end),
 * `{ result }` (a call's end; `{}` is a result of `undefined`),
 * `{ error, code, ... }`, or something else (`garbled`).
 */
export type StreamRecord =
  | { kind: 'chunk'; value: unknown }
  | { kind: 'progress'; value: unknown }
  | { kind: 'end' }
  | { kind: 'result'; value: unknown }
  | { kind: 'error'; fields: Record<string, unknown> }
  | { kind: 'garbled' };

/** What one record means. */
export function readStreamRecord(record: unknown): StreamRecord {
  if (typeof record !== 'object' || record === null || Array.isArray(record) || record instanceof Map) return { kind: 'garbled' };
  const fields = record as Record<string, unknown>;
  if (Object.hasOwn(fields, 'chunk')) return { kind: 'chunk', value: fields['chunk'] };
  if (Object.hasOwn(fields, 'progress')) return { kind: 'progress', value: fields['progress'] };
  if (fields['end'] === true) return { kind: 'end' };
  if (Object.hasOwn(fields, 'result')) return { kind: 'result', value: fields['result'] };
  if (typeof fields['error'] === 'string') return { kind: 'error', fields };
  // JSON leaves out a result that is undefined.
  if (Object.keys(fields).length === 0) return { kind: 'result', value: undefined };
  return { kind: 'garbled' };
}

type StreamedBody = Extract<HttpStreamResponse, { kind: 'stream' }>;

/**
 * The records of a streamed answer as they arrive, read only as fast as
 * they are asked for. A record longer than `maxRecordBytes`, or a body that
 * is not records, is `PROTOCOL_ERROR`; the end of the body ends it.
 */
export async function* recordsOf(response: StreamedBody, url: URL, maxRecordBytes: number): AsyncGenerator<StreamRecord, void> {
  // A MessagePack answer comes only to a MessagePack request, so its codec is loaded by now.
  const codec = response.encoding === 'msgpack' ? loadedMsgpackCodec() : jsonCodec;
  if (codec === undefined) throw streamProtocolError(url, 'answered a MessagePack sequence to a call that was not sent in MessagePack', '', '');
  const decoder = new RecordDecoder(codec);
  for (;;) {
    const piece = await response.pieces.next();
    if (piece.done === true) {
      decoder.end();
      return;
    }
    for (const record of decoder.push(piece.value)) yield readStreamRecord(record);
    if (decoder.pendingBytes > maxRecordBytes) throw responseTooLargeError(url, maxRecordBytes);
  }
}

/** The `PROTOCOL_ERROR` of a streamed answer that broke the protocol. */
export function streamProtocolError(url: URL, what: string, taskName: string, backend: string): ComputeError {
  return new ComputeError({ code: 'PROTOCOL_ERROR', message: `${url.href} ${what}`, taskName, backend });
}

/** Hands a progress value to the caller's callback, which must not break the call. */
export function deliverProgress(onProgress: ((value: unknown) => void) | undefined, value: unknown): void {
  if (onProgress === undefined) return;
  try {
    onProgress(value);
  } catch {
    // The caller's progress callback failing is the caller's business; the call goes on.
  }
}
