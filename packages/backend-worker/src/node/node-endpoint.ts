import type { Endpoint } from 'comlink';

/** What a Node `Worker` and `MessagePort` (such as `parentPort`) have in common here. */
export interface NodeMessageTarget {
  postMessage(message: unknown, transferList?: readonly unknown[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
}

/**
 * Adapts a Node `Worker` or `MessagePort` to the DOM-style endpoint comlink
 * speaks (comlink's own node-adapter does the same, but is not reachable
 * through its package entry in every resolver).
 */
export function nodeEndpoint(target: NodeMessageTarget): Endpoint & { dispatch(data: unknown): void } {
  const adapters = new Map<EventListenerOrEventListenerObject, (data: unknown) => void>();
  return {
    // Hands a message read off the port by other means (receiveMessageOnPort) to the listeners.
    dispatch: (data: unknown) => {
      for (const adapter of adapters.values()) adapter(data);
    },
    postMessage: (message: unknown, transfer?: Transferable[]) => target.postMessage(message, transfer),
    addEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
      const adapter =
        typeof listener === 'function'
          ? (data: unknown) => listener({ data } as MessageEvent)
          : (data: unknown) => listener.handleEvent({ data } as MessageEvent);
      adapters.set(listener, adapter);
      target.on('message', adapter);
    },
    removeEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
      const adapter = adapters.get(listener);
      if (adapter === undefined) return;
      adapters.delete(listener);
      target.off('message', adapter);
    },
  };
}
