/**
 * Whether this process is Bun, where `ws` is Bun's built-in replacement:
 * its WebSocket server reads an upgraded socket natively, so the server
 * never sees the bytes of a frame still arriving.
 */
export const runsOnBun = typeof process.versions.bun === 'string';
