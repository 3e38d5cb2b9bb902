import type { Endpoint } from 'comlink';
import { MessageChannel, MessagePort } from 'node:worker_threads';
import { nodeEndpoint, type NodeMessageTarget } from './node-endpoint.js';

/**
 * Sent once by a worker whose `parentPort` cannot be read synchronously
 * (Deno: `receiveMessageOnPort(parentPort)` throws, a MessageChannel port
 * works): the value is a port the pool talks to instead, so that the Atomics
 * idle wait still works there.
 */
export const channelMessageKey = '@hybridcompute/backend-worker.channel';

const channels = new WeakMap<object, MessagePort>();

/**
 * The port this worker serves the pool on: `parentPort` itself where
 * `receiveMessageOnPort` reads it (Node, Bun), else one end of a new channel
 * whose other end goes to the pool (once per `parentPort`, so a second
 * exposeTasks is refused on the same port).
 */
export function poolPortOf(parentPort: MessagePort): MessagePort {
  if ((parentPort as unknown) instanceof MessagePort) return parentPort;
  let port = channels.get(parentPort);
  if (port === undefined) {
    const { port1, port2 } = new MessageChannel();
    parentPort.postMessage({ [channelMessageKey]: port1 }, [port1]);
    port = port2;
    channels.set(parentPort, port);
  }
  return port;
}

/**
 * The pool's side of a Node `Worker`: comlink's endpoint over the worker,
 * switched to the worker's own channel once it sends one (see
 * {@link channelMessageKey}). Messages on the worker itself are still heard.
 */
export function nodeWorkerEndpoint(worker: NodeMessageTarget): Endpoint & { close(): void } {
  const direct = nodeEndpoint(worker);
  const listeners = new Set<EventListenerOrEventListenerObject>();
  let channel: (Endpoint & { close?(): void }) | undefined;
  const adopt = (data: unknown): void => {
    const port = (data as Record<string, unknown> | null)?.[channelMessageKey] as (Endpoint & { close?(): void }) | undefined;
    if (channel !== undefined || port === undefined || typeof port.postMessage !== 'function') return;
    channel = port;
    for (const listener of listeners) channel.addEventListener('message', listener);
    channel.start?.();
  };
  worker.on('message', adopt);
  return {
    postMessage: (message, transfer) => (channel ?? direct).postMessage(message, transfer),
    addEventListener: (type, listener) => {
      listeners.add(listener);
      direct.addEventListener(type, listener);
      channel?.addEventListener(type, listener);
    },
    removeEventListener: (type, listener) => {
      listeners.delete(listener);
      direct.removeEventListener(type, listener);
      channel?.removeEventListener(type, listener);
    },
    close: () => {
      worker.off('message', adopt);
      channel?.close?.();
    },
  };
}
