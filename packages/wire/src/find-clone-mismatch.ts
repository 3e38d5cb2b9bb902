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
  const walk: CloneWalk = { negativeZero: false, root: value, seen: undefined };
  const refusal = refusalIn(value, walk);
  return { mismatch: refusal === undefined ? undefined : path + refusal, negativeZero: walk.negativeZero };
}

interface CloneWalk {
  negativeZero: boolean;
  // The value walked: the one object a message of plain values holds, so it needs no Set.
  readonly root: unknown;
  // Every other object met, made on the first one: shared references and cycles are walked once.
  seen: Set<object> | undefined;
}

// What structured clone refuses in `value`, as the rest of its path and the reason
// (`.onDone: a function cannot be sent`). The path is put together on the way back
// from a refusal only: a value that travels (nearly all) costs no string per property.
function refusalIn(value: unknown, walk: CloneWalk): string | undefined {
  switch (typeof value) {
    case 'number':
      if (Object.is(value, -0)) walk.negativeZero = true;
      return undefined;
    case 'function':
      return ': a function cannot be sent';
    case 'symbol':
      return ': a symbol cannot be sent';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (value === walk.root) {
    if (walk.seen !== undefined) return undefined;
    walk.seen = new Set();
  } else {
    walk.seen ??= new Set();
    if (walk.seen.has(value)) return undefined;
  }
  walk.seen.add(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const refusal = refusalIn(value[index], walk);
      if (refusal !== undefined) return `[${index}]${refusal}`;
    }
    return undefined;
  }
  // Maps and Sets are walked to the end (for a -0), keeping their first refusal.
  let first: string | undefined;
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const keyRefusal = refusalIn(key, walk);
      first ??= keyRefusal === undefined ? undefined : `.<key>${keyRefusal}`;
      const itemRefusal = refusalIn(item, walk);
      first ??= itemRefusal === undefined ? undefined : `.get(${describeKey(key)})${itemRefusal}`;
    }
    return first;
  }
  if (value instanceof Set) {
    for (const item of value) {
      const refusal = refusalIn(item, walk);
      first ??= refusal === undefined ? undefined : `.<entry>${refusal}`;
    }
    return first;
  }
  if (value instanceof Date || value instanceof RegExp) return undefined;
  for (const key of Object.keys(value)) {
    const refusal = refusalIn((value as Record<string, unknown>)[key], walk);
    if (refusal !== undefined) return `.${key}${refusal}`;
  }
  return undefined;
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'number' ? String(key) : typeof key;
}
