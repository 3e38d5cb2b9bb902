import { jsonCodec, type WireCodec } from '@hybridcompute/wire/json';
/**
 * What one incoming WebSocket frame means to the client:
 * - `result` / `error`: the answer of call `id` (`error` holds the whole frame, for `errorFromAnswer`);
 * - `garbled`: it names call `id` but is not an answer (no `result`, no string `error`);
 * - `chunk` / `progress` / `end`: a stream's chunk, a progress value, a stream's end (`{ id, end: true }`);
 * - `ignored`: not about any call of ours, by design (`{ duplicateId }`: the server refused a
 *   repeated id, which must not settle the first call with that id);
 * - `unidentifiable`: not the protocol, and names no call (not JSON, not an object, an `id`
 *   that is not a number): the socket can no longer be trusted.
 */
export type AnswerFrame =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; frame: Record<string, unknown> }
  | { kind: 'garbled'; id: number; reason: string }
  | { kind: 'chunk'; id: number; value: unknown }
  | { kind: 'progress'; id: number; value: unknown }
  | { kind: 'end'; id: number }
  | { kind: 'ignored' }
  | { kind: 'unidentifiable'; reason: string; frame?: Record<string, unknown> | undefined };

const decoder = new TextDecoder();

function bytesOfFrame(data: unknown): Uint8Array | undefined {
  // A Node Buffer (what ws hands over) is a Uint8Array already: decoded as it is, no view made.
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((part) => ArrayBuffer.isView(part))) {
    const parts = data as Uint8Array[];
    const joined = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.byteLength;
    }
    return joined;
  }
  return undefined;
}

/** Decodes a frame's data, text or binary, into its text; `undefined` when it is neither. */
export function textOfFrame(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return decoder.decode(data);
  if (ArrayBuffer.isView(data)) return decoder.decode(data as Uint8Array);
  // Node's ws hands fragmented messages over as an array of Buffers when binaryType is 'fragments'.
  if (Array.isArray(data) && data.every((part) => ArrayBuffer.isView(part))) {
    return (data as Uint8Array[]).map((part) => decoder.decode(part, { stream: true })).join('') + decoder.decode();
  }
  return undefined;
}

/**
 * Reads one frame from the server (text, or JSON in a binary frame; once
 * MessagePack lands, binary frames carry that) and says what it means.
 *
 * @example
 * ```ts
 * readAnswerFrame('{"id":1,"result":42}'); // { kind: 'result', id: 1, result: 42 }
 * readAnswerFrame('{"id":"1","result":42}'); // { kind: 'unidentifiable', ... }
 * ```
 */
export function readAnswerFrame(data: unknown, codec: WireCodec = jsonCodec): AnswerFrame {
  let frame: unknown;
  // What the frame looked like, for an error only (see shownOf): described when one is reported, not for every frame.
  let text: string | undefined;
  let bytes: Uint8Array | undefined;
  // Text frames are JSON whatever the socket speaks; binary ones are the socket's encoding.
  if (codec.encoding === 'msgpack' && typeof data !== 'string') {
    bytes = bytesOfFrame(data);
    if (bytes === undefined) return { kind: 'unidentifiable', reason: 'a frame that is neither text nor binary' };
    try {
      frame = codec.decode(bytes);
    } catch {
      return { kind: 'unidentifiable', reason: `a frame that is not MessagePack (${shownOf(text, bytes)})` };
    }
  } else {
    text = textOfFrame(data);
    if (text === undefined) return { kind: 'unidentifiable', reason: 'a frame that is neither text nor binary' };
    try {
      frame = JSON.parse(text);
    } catch {
      return { kind: 'unidentifiable', reason: `a frame that is not JSON (${shownOf(text, bytes)})` };
    }
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame) || frame instanceof Map) {
    return { kind: 'unidentifiable', reason: `a frame that is not an object (${shownOf(text, bytes)})` };
  }
  const fields = frame as Record<string, unknown>;
  const id = fields['id'];
  if (id === undefined && Object.hasOwn(fields, 'duplicateId')) return { kind: 'ignored' };
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    const what = id === undefined ? 'without an id' : `with the id ${describeStart(JSON.stringify(id))}, which names no call of this client`;
    return { kind: 'unidentifiable', reason: `a frame ${what}`, frame: fields };
  }
  if (Object.hasOwn(fields, 'result')) return { kind: 'result', id, result: fields['result'] };
  if (Object.hasOwn(fields, 'chunk')) return { kind: 'chunk', id, value: fields['chunk'] };
  if (Object.hasOwn(fields, 'progress')) return { kind: 'progress', id, value: fields['progress'] };
  if (fields['end'] === true) return { kind: 'end', id };
  // JSON leaves out a result that is undefined: `{ "id" }` alone answers a task that returned nothing.
  if (Object.keys(fields).length === 1) return { kind: 'result', id, result: undefined };
  if (typeof fields['error'] === 'string') return { kind: 'error', id, frame: fields };
  return { kind: 'garbled', id, reason: 'an answer with neither result nor a string error' };
}

function shownOf(text: string | undefined, bytes: Uint8Array | undefined): string {
  return text === undefined ? `${bytes?.byteLength ?? 0} bytes` : describeStart(text);
}

function describeStart(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
