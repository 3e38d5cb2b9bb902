import { transfer as comlinkTransfer } from 'comlink';
import { invalidArgumentError } from '@hybridcompute/core';

/**
 * Marks `value` so that the objects in `transferList` (ArrayBuffers, message
 * ports, ...) move to the other thread instead of being copied. Works in both
 * directions: wrap a call's input on the main side, or a task's result inside
 * the worker. After the move, the sender's buffers are detached (length 0).
 *
 * `value` must be an object (an ArrayBuffer itself will do), and it must be
 * passed as it is: the mark belongs to that object, not to a copy.
 *
 * @throws TypeError (code `INVALID_REQUEST`) when `value` is not an object or
 * `transferList` is not an array.
 *
 * @example
 * ```ts
 * import { transfer } from '@hybridcompute/backend-worker';
 * const pixels = new Uint8Array(1 << 24);
 * await backend.runTask('blur', transfer({ pixels }, [pixels.buffer]));
 *
 * // in the worker file
 * export const blur = defineTask('blur', ({ pixels }) => transfer({ pixels: blurred(pixels) }, [pixels.buffer]));
 * ```
 */
export function transfer<T>(value: T, transferList: readonly Transferable[]): T {
  if (typeof value !== 'object' || value === null) {
    throw invalidArgumentError(`transfer: the value must be an object that holds the transferables, got ${value === null ? 'null' : typeof value}`);
  }
  if (!Array.isArray(transferList)) throw invalidArgumentError('transfer: transferList must be an array of transferable objects');
  transferLists.set(value, transferList as Transferable[]);
  return comlinkTransfer(value, transferList as Transferable[]);
}

// comlink keeps its own marks privately; calls sent in a batch need the lists too.
const transferLists = new WeakMap<object, Transferable[]>();

/** The transfer list `value` was marked with by {@link transfer}, if any. Internal. */
export function transferListOf(value: unknown): Transferable[] | undefined {
  return typeof value === 'object' && value !== null ? transferLists.get(value) : undefined;
}

/** Marks a batch with the transfer lists of the values it carries. Internal. */
export function transferAll<T extends object>(batch: T, transferList: Transferable[] | undefined): T {
  return transferList === undefined ? batch : comlinkTransfer(batch, transferList);
}
