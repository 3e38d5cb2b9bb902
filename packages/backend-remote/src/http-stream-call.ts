import { abortErrorFrom, CallDeadline, ComputeError, timeoutHeader, withCallNames, type CallOptions } from '@hybridcompute/core';
import { streamMediaTypeOf, type WireCodec } from '@hybridcompute/wire/json';
import { errorFromAnswer } from './error-from-answer.js';
import type { HttpStreamResponse } from './http-stream-response.js';
import type { HttpTransport } from './http-transport.js';
import { readComputeAnswer } from './read-http-answer.js';
import type { RemoteEndpoint } from './remote-endpoint.js';
import { requeueRefused, waitForRoom, wakeWaiting } from './send-http-call.js';
import { deliverProgress, recordsOf, streamProtocolError } from './stream-records.js';
import { addTraceHeaders } from './trace-http-call.js';

/** One HTTP stream's parts, as the backend has them. */
export interface HttpStreamCall {
  taskName: string;
  input: unknown;
  codec: WireCodec;
  headers: Record<string, string>;
  options: CallOptions;
  backend: string;
  maxRecordBytes: number;
}

/**
 * Streams one call over HTTP: `POST` with `"stream": true` and `Accept` of
 * the stream type, then the chunks of the answer as the reader asks for them
 * (TCP's backpressure pauses the server's generator). Leaving the loop early
 * drops the request, and the server closes the generator. The call's
 * `timeout` and `signal` end it with `TASK_TIMEOUT` / `TASK_ABORTED`.
 *
 * A `QUEUE_FULL` answer is retried as a plain call's is ({@link requeueRefused}):
 * it can only come as the plain answer, before any chunk or progress record
 * (the server sends its status with the first record), so nothing was
 * delivered and the stream starts afresh once another call to the endpoint ends.
 */
export async function* streamOverHttp(transport: HttpTransport, endpoint: RemoteEndpoint, call: HttpStreamCall): AsyncGenerator<unknown, void> {
  const { taskName, backend, codec } = call;
  if (transport.requestStream === undefined) {
    throw new ComputeError({ code: 'INVALID_REQUEST', message: `This platform's HTTP transport cannot read streamed answers: stream task '${taskName}' over a WebSocket`, taskName, backend });
  }
  let body: string | Uint8Array;
  try {
    body = codec.encode(call.input === undefined ? { task: taskName, stream: true } : { task: taskName, input: call.input, stream: true });
  } catch (error) {
    throw new ComputeError({ code: 'INVALID_REQUEST', message: `The input of task '${taskName}' could not be encoded: ${(error as Error).message}`, taskName, backend, cause: error });
  }
  let response: HttpStreamResponse | undefined;
  // At the deadline the request is dropped (through the signal, and the body at once), so the server stops too.
  const onExpire = (): void => {
    if (response?.kind === 'stream') response.cancel();
  };
  const deadline = call.options.signal === undefined && call.options.timeout === undefined ? undefined : new CallDeadline(taskName, backend, call.options, onExpire);
  const deadlineAt = call.options.timeout === undefined ? undefined : Date.now() + call.options.timeout;
  const signal = deadline?.signal;
  const admission = endpoint.admission;
  let admitted = false;
  let finished = false;
  try {
    if (deadline?.expired !== undefined) throw deadline.expired;
    admitted = admission.tryAdmit();
    if (!admitted) {
      await waitForRoom(endpoint, { taskName, signal, backend });
      admitted = true;
    }
    const headers: Record<string, string> = { ...call.headers, 'content-type': codec.contentType, accept: streamMediaTypeOf[codec.encoding] };
    addTraceHeaders(headers);
    for (;;) {
      if (deadlineAt !== undefined) headers[timeoutHeader] = String(Math.max(1, deadlineAt - Date.now()));
      response = await transport.requestStream('POST', endpoint.url, headers, body, signal);
      if (response.kind === 'stream') break;
      admission.learn(response.answer.maxConcurrency);
      try {
        readComputeAnswer(response.answer, endpoint.url, taskName, backend);
      } catch (error) {
        if (!(ComputeError.isInstance(error) && error.code === 'QUEUE_FULL')) throw error;
        admitted = false;
        if (!(await requeueRefused(endpoint, { taskName, signal, backend }))) throw error;
        admitted = true;
        continue;
      }
      finished = true;
      throw streamProtocolError(endpoint.url, 'answered a stream with a plain result: it does not stream', taskName, backend);
    }
    admission.learn(response.maxConcurrency);
    for await (const record of recordsOf(response, endpoint.url, call.maxRecordBytes)) {
      // Records already read are not handed out past the deadline.
      if (deadline?.expired !== undefined) throw deadline.expired;
      if (record.kind === 'chunk') yield record.value;
      else if (record.kind === 'progress') deliverProgress(call.options.onProgress, record.value);
      else if (record.kind === 'end') {
        finished = true;
        return;
      } else if (record.kind === 'error') {
        finished = true;
        throw errorFromAnswer(record.fields, undefined, taskName, backend);
      } else throw streamProtocolError(endpoint.url, `sent ${record.kind === 'garbled' ? 'a record that is not the protocol' : 'a plain result'} in a stream`, taskName, backend);
    }
    throw streamProtocolError(endpoint.url, 'ended the stream without its end record (the server went away?)', taskName, backend);
  } catch (error) {
    if (deadline?.expired !== undefined) throw deadline.expired;
    if (signal?.aborted === true) throw abortErrorFrom(signal.reason, taskName, backend);
    if (ComputeError.isInstance(error)) throw withCallNames(error, taskName, backend);
    throw new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: `The stream of task '${taskName}' from ${endpoint.url.href} broke: ${(error as Error).message}`, taskName, backend, cause: error });
  } finally {
    if (!finished && response?.kind === 'stream') response.cancel();
    deadline?.release();
    if (admitted) {
      admission.finished();
      wakeWaiting(endpoint);
    }
  }
}
