import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * Opens a WebSocket by hand, on a plain TCP socket, so a test can send what
 * no WebSocket library would: half a frame, one byte at a time.
 */
export async function rawWebSocket(port: number, path: string): Promise<{ socket: Socket; response: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let response = '';
  while (!response.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    response += chunk.toString('latin1');
  }
  if (!response.startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${response.split('\r\n', 1)[0]}`);
  return { socket, response };
}

/** The header of a masked (client) text frame announcing `length` payload bytes, mask key all zeros. */
export function maskedFrameHeader(length: number): Buffer {
  const mask = Buffer.alloc(4);
  if (length < 126) return Buffer.concat([Buffer.from([0x81, 0x80 | length]), mask]);
  if (length < 65_536) {
    const header = Buffer.from([0x81, 0x80 | 126, 0, 0]);
    header.writeUInt16BE(length, 2);
    return Buffer.concat([header, mask]);
  }
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return Buffer.concat([header, mask]);
}
