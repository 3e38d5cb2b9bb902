import type { Endpoint } from 'comlink';
import { serializeThrown } from './error-transfer-handler.js';
import { asyncMarker, batchMarker, creditMessageKey, outcomeFulfilled, outcomeRejected } from './worker-protocol.js';

/**
 * comlink answers a whole batch in one message, so one result that cannot be
 * cloned would fail every call in it. When such a message fails to post, the
 * results that cannot be cloned become that call's error and the rest go as they are.
 * It also takes the pool's stream credits ({@link creditMessageKey}) out of
 * the messages comlink reads. Internal.
 */
export function cloneSafeEndpoint(endpoint: Endpoint, afterPost: () => void, onCredit: (data: Record<string, unknown>) => void): Endpoint {
  const wrapped = new Map<EventListenerOrEventListenerObject, EventListener>();
  const safe: Endpoint = {
    // The pool's stream credits are no comlink requests: they are taken out here, before comlink
    // sees the message, so that calls without streams pay one property read and no listener more.
    addEventListener: (type: string, listener: EventListenerOrEventListenerObject) => {
      const comlinkListener = listener as (event: MessageEvent) => void;
      const filtered = ((event: MessageEvent) => {
        const data = event.data as Record<string, unknown> | null;
        if (typeof data === 'object' && data !== null && data[creditMessageKey] !== undefined) onCredit(data);
        else comlinkListener(event);
      }) as EventListener;
      wrapped.set(listener, filtered);
      endpoint.addEventListener(type, filtered);
    },
    removeEventListener: (type: string, listener: EventListenerOrEventListenerObject) => {
      endpoint.removeEventListener(type, wrapped.get(listener) ?? listener);
      wrapped.delete(listener);
    },
    postMessage(message: unknown, transfer?: Transferable[]) {
      try {
        endpoint.postMessage(message, transfer);
      } catch (error) {
        const repaired = repairOutcomes(message);
        if (repaired === undefined) throw error;
        endpoint.postMessage(repaired, transfer);
      }
      afterPost();
    },
  };
  if (endpoint.start !== undefined) safe.start = endpoint.start.bind(endpoint);
  return safe;
}

function repairOutcomes(message: unknown): unknown {
  const value = (message as { value?: unknown } | null)?.value;
  if (!Array.isArray(value) || (value[0] !== batchMarker && value[0] !== asyncMarker)) return undefined;
  const stride = value[0] === batchMarker ? 2 : 3;
  const outcomes = [...value];
  for (let kindAt = stride - 1; kindAt < outcomes.length; kindAt += stride) {
    if (outcomes[kindAt] !== outcomeFulfilled || cloneable(outcomes[kindAt + 1])) continue;
    outcomes[kindAt] = outcomeRejected;
    outcomes[kindAt + 1] = serializeThrown(new TypeError('Unserializable return value'));
  }
  return { ...(message as object), value: outcomes };
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
