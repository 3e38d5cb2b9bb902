/**
 * What {@link findCloneMismatch} found in a value.
 *
 * @example
 * ```ts
 * const { mismatch, negativeZero }: CloneScan = findCloneMismatch(input, 'input');
 * ```
 */
export interface CloneScan {
  /** Where the value holds something structured clone refuses (a function, a symbol), for a person. */
  mismatch: string | undefined;
  /** Whether a -0 appears, which MessagePack alone would turn into 0. */
  negativeZero: boolean;
}

/**
 * Walks a value as structured clone would and reports what it refuses
 * (`"input.onDone: a function cannot be sent"`) and whether it holds a -0.
 * Typed arrays and buffers are leaves. Shared references and cycles are
 * walked once.
 *
 * @example
 * ```ts
 * findCloneMismatch({ n: -0, f: () => 1 }, 'input'); // { mismatch: 'input.f: a function cannot be sent', negativeZero: true }
 * ```
 */
export function findCloneMismatch(value: unknown, path: string): CloneScan {
  return { mismatch: findCloneRefusal(value, path), negativeZero: holdsNegativeZero(value) };
}

/**
 * Where `value` holds something structured clone refuses, described for a
 * person (`"input.onDone: a function cannot be sent"`); `undefined` when
 * it holds nothing of the kind. Stops at the first one found. A primitive
 * costs a `typeof`; the path is only built for a value that is refused.
 *
 * @internal The MessagePack codec's `mismatchOf`.
 */
export function findCloneRefusal(value: unknown, path: string): string | undefined {
  const found = typeof value === 'object' && value !== null ? new ObjectWalk().refusalIn(value) : refusalOfPrimitive(value);
  return found === undefined ? undefined : `${path}${found}`;
}

/**
 * Whether a -0 appears anywhere in `value` (MessagePack alone would turn
 * it into 0), walking as structured clone would.
 *
 * @internal The MessagePack codec's `encode`.
 */
export function holdsNegativeZero(value: unknown): boolean {
  if (typeof value === 'number') return Object.is(value, -0);
  return typeof value === 'object' && value !== null && new ObjectWalk().negativeZeroIn(value);
}

/**
 * Whether MessagePack alone would change `value`: it holds a -0 (written as
 * 0), a Map (written as a plain map, read back as an object) or an object
 * reached twice (msgpackr's references cannot rebuild a cycle through a
 * plain object, and a message without repeats is packed without
 * references). Walks as structured clone would, error causes included.
 *
 * @internal The MessagePack codec's `encode`: such a message is copied before it is packed.
 */
export function needsMsgpackMarks(value: unknown): boolean {
  if (typeof value === 'number') return Object.is(value, -0);
  return typeof value === 'object' && value !== null && new ObjectWalk().marksNeededIn(value);
}

function refusalOfPrimitive(value: unknown): string | undefined {
  if (typeof value === 'function') return ': a function cannot be sent';
  if (typeof value === 'symbol') return ': a symbol cannot be sent';
  return undefined;
}

// Typed arrays, buffers, dates and regular expressions travel as they are: nothing inside to walk.
function isLeaf(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp;
}

// Past this many objects, the ones already walked are looked up in a Set instead of a list.
const fewObjects = 16;

/** One walk over a value's objects, each walked once (shared references and cycles). */
class ObjectWalk {
  // Most values hold a few objects: a short list, then a Set, is cheaper than a Set for each walk.
  #few: object[] | undefined;
  #many: Set<object> | undefined;

  // Whether `value` is walked for the first time (and now counts as walked).
  #firstVisit(value: object): boolean {
    if (this.#many !== undefined) {
      if (this.#many.has(value)) return false;
      this.#many.add(value);
      return true;
    }
    const few = (this.#few ??= []);
    if (few.includes(value)) return false;
    if (few.length < fewObjects) few.push(value);
    else this.#many = new Set([...few, value]);
    return true;
  }

  // The path below `value` to the first refused value and why (`.onDone: a function cannot be sent`), or undefined.
  refusalIn(value: object): string | undefined {
    if (isLeaf(value) || !this.#firstVisit(value)) return undefined;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const found = this.#refusalOf(value[index]);
        if (found !== undefined) return `[${index}]${found}`;
      }
      return undefined;
    }
    if (value instanceof Map) {
      for (const [key, item] of value) {
        const inKey = this.#refusalOf(key);
        if (inKey !== undefined) return `.<key>${inKey}`;
        const inItem = this.#refusalOf(item);
        if (inItem !== undefined) return `.get(${describeKey(key)})${inItem}`;
      }
      return undefined;
    }
    if (value instanceof Set) {
      for (const item of value) {
        const found = this.#refusalOf(item);
        if (found !== undefined) return `.<entry>${found}`;
      }
      return undefined;
    }
    for (const key of Object.keys(value)) {
      const found = this.#refusalOf((value as Record<string, unknown>)[key]);
      if (found !== undefined) return `.${key}${found}`;
    }
    return undefined;
  }

  #refusalOf(value: unknown): string | undefined {
    return typeof value === 'object' && value !== null ? this.refusalIn(value) : refusalOfPrimitive(value);
  }

  negativeZeroIn(value: object): boolean {
    if (isLeaf(value) || !this.#firstVisit(value)) return false;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) if (this.#negativeZeroOf(value[index])) return true;
      return false;
    }
    if (value instanceof Map) {
      for (const [key, item] of value) if (this.#negativeZeroOf(key) || this.#negativeZeroOf(item)) return true;
      return false;
    }
    if (value instanceof Set) {
      for (const item of value) if (this.#negativeZeroOf(item)) return true;
      return false;
    }
    for (const key of Object.keys(value)) if (this.#negativeZeroOf((value as Record<string, unknown>)[key])) return true;
    return false;
  }

  marksNeededIn(value: object): boolean {
    // A leaf reached twice counts too: the codec packs a message without repeats without references.
    if (!this.#firstVisit(value) || value instanceof Map) return true;
    if (isLeaf(value)) return false;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) if (this.#marksNeededBy(value[index])) return true;
      return false;
    }
    if (value instanceof Set) {
      for (const item of value) if (this.#marksNeededBy(item)) return true;
      return false;
    }
    if (value instanceof Error) return this.#marksNeededBy(value.cause);
    for (const key of Object.keys(value)) if (this.#marksNeededBy((value as Record<string, unknown>)[key])) return true;
    return false;
  }

  #marksNeededBy(value: unknown): boolean {
    if (typeof value === 'number') return Object.is(value, -0);
    return typeof value === 'object' && value !== null && this.marksNeededIn(value);
  }

  #negativeZeroOf(value: unknown): boolean {
    if (typeof value === 'number') return Object.is(value, -0);
    return typeof value === 'object' && value !== null && this.negativeZeroIn(value);
  }
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'number' ? String(key) : typeof key;
}
