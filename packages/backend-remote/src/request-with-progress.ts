import { streamMediaTypeOf, type WireCodec } from '@hybridcompute/wire/json';
import { errorFromAnswer } from './error-from-answer.js';
import type { HttpAnswer, HttpTransport } from './http-transport.js';
import { deliverProgress, recordsOf, streamProtocolError } from './stream-records.js';

/** A call's result read from a streamed answer (progress records, then `{ result }`). */
export interface StreamedResult {
  streamed: true;
  result: unknown;
}

/**
 * POSTs a call that reports progress: asks for a streamed answer with
 * `Accept`, hands each `{ progress }` record to `onProgress`, and returns the
 * `{ result }` record's value. A server that answers plainly (it sent no
 * progress, or it is too old to stream) gets its answer back as an
 * {@link HttpAnswer}, read as any other.
 */
export async function requestWithProgress(
  transport: HttpTransport & Required<Pick<HttpTransport, 'requestStream'>>,
  url: URL,
  call: { headers: Record<string, string>; body: string | Uint8Array; codec: WireCodec; signal: AbortSignal | undefined; onProgress: (value: unknown) => void; taskName: string; backend: string; maxRecordBytes: number },
): Promise<HttpAnswer | StreamedResult> {
  call.headers['accept'] = streamMediaTypeOf[call.codec.encoding];
  const response = await transport.requestStream('POST', url, call.headers, call.body, call.signal);
  if (response.kind === 'plain') return response.answer;
  let finished = false;
  try {
    for await (const record of recordsOf(response, url, call.maxRecordBytes)) {
      if (record.kind === 'progress') deliverProgress(call.onProgress, record.value);
      else if (record.kind === 'result') {
        finished = true;
        return { streamed: true, result: record.value };
      } else if (record.kind === 'error') {
        finished = true;
        throw errorFromAnswer(record.fields, undefined, call.taskName, call.backend);
      } else throw streamProtocolError(url, `sent a ${record.kind === 'garbled' ? 'record that is not the protocol' : `stream's ${record.kind}`} in the answer to a call`, call.taskName, call.backend);
    }
    throw streamProtocolError(url, 'ended the streamed answer without its result', call.taskName, call.backend);
  } finally {
    if (!finished) response.cancel();
  }
}

