import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body up to `limit` bytes. Past the limit it resolves with
 * `null` at once and stops buffering, so an oversized body costs no memory;
 * the caller answers 413 and closes the connection.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanUp();
        chunks.length = 0;
        // Keep draining without buffering until the connection is closed by the answer.
        request.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanUp();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanUp();
      reject(error);
    };
    const onClose = (): void => {
      cleanUp();
      reject(new Error('the client closed the connection before the body ended'));
    };
    const cleanUp = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}
