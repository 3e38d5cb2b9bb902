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
  const scan: CloneScan = { mismatch: undefined, negativeZero: false };
  walk(value, path, scan, new Set());
  return scan;
}

function walk(value: unknown, path: string, scan: CloneScan, seen: Set<object>): void {
  switch (typeof value) {
    case 'number':
      if (Object.is(value, -0)) scan.negativeZero = true;
      return;
    case 'function':
      scan.mismatch ??= `${path}: a function cannot be sent`;
      return;
    case 'symbol':
      scan.mismatch ??= `${path}: a symbol cannot be sent`;
      return;
    case 'object':
      break;
    default:
      return;
  }
  if (value === null || seen.has(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length && scan.mismatch === undefined; index++) walk(value[index], `${path}[${index}]`, scan, seen);
    return;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      walk(key, `${path}.<key>`, scan, seen);
      walk(item, `${path}.get(${describeKey(key)})`, scan, seen);
    }
    return;
  }
  if (value instanceof Set) {
    for (const item of value) walk(item, `${path}.<entry>`, scan, seen);
    return;
  }
  if (value instanceof Date || value instanceof RegExp) return;
  for (const key of Object.keys(value)) {
    if (scan.mismatch !== undefined) return;
    walk((value as Record<string, unknown>)[key], `${path}.${key}`, scan, seen);
  }
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'number' ? String(key) : typeof key;
}
