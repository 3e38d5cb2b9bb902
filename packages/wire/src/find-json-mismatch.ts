/**
 * Where JSON would change `value`, described for a person:
 * `"input.pixels: a Uint8Array cannot travel as JSON"`; `undefined` when
 * JSON carries it unchanged (what `structuredClone` would give back).
 *
 * JSON keeps strings, finite numbers other than -0, booleans, `null`, plain
 * objects and arrays. It changes or drops everything else: `undefined`
 * in an array (it becomes `null`), `NaN`, `Infinity`, `-0`, BigInt (it throws),
 * `Date`, `RegExp`, `Map`, `Set`, `ArrayBuffer`, typed arrays, `DataView`,
 * errors, functions, symbols, objects with a `toJSON` method, and cycles.
 * A top-level `undefined` is fine (the protocol's `input` is absent then,
 * and reads back as `undefined`), and so is a property whose value is
 * `undefined`: JSON leaves it out, and reading it back gives `undefined`
 * (only `'key' in value` tells the difference).
 *
 * @param path - the name of `value` in the message (`input`, `result`).
 *
 * @example
 * ```ts
 * const mismatch = findJsonMismatch(input, 'input');
 * if (mismatch !== undefined) return Promise.reject(invalidArgumentError(`${mismatch}; use encoding 'msgpack'`));
 * ```
 */
export function findJsonMismatch(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  return mismatchIn(value, path, new Set());
}

function mismatchIn(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return undefined;
      return `${path}: ${Object.is(value, -0) ? '-0' : String(value)} cannot travel as JSON`;
    case 'undefined':
      return `${path}: undefined cannot travel as JSON`;
    case 'bigint':
      return `${path}: a BigInt cannot travel as JSON`;
    case 'function':
      return `${path}: a function cannot travel as JSON`;
    case 'symbol':
      return `${path}: a symbol cannot travel as JSON`;
    default:
      break;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (ancestors.has(object)) return `${path}: a cycle cannot travel as JSON`;
  if (Array.isArray(object)) {
    ancestors.add(object);
    for (let index = 0; index < object.length; index++) {
      const found = mismatchIn(object[index], `${path}[${index}]`, ancestors);
      if (found !== undefined) return found;
    }
    ancestors.delete(object);
    return undefined;
  }
  const kind = nonPlainKind(object);
  if (kind !== undefined) return `${path}: ${kind} cannot travel as JSON`;
  ancestors.add(object);
  for (const key of Object.keys(object)) {
    const property = (object as Record<string, unknown>)[key];
    if (property === undefined) continue;
    const found = mismatchIn(property, `${path}${propertyPath(key)}`, ancestors);
    if (found !== undefined) return found;
  }
  ancestors.delete(object);
  return undefined;
}

function nonPlainKind(object: object): string | undefined {
  if (ArrayBuffer.isView(object)) return `a ${object.constructor?.name ?? 'typed array'}`;
  if (object instanceof ArrayBuffer) return 'an ArrayBuffer';
  if (typeof SharedArrayBuffer !== 'undefined' && object instanceof SharedArrayBuffer) return 'a SharedArrayBuffer';
  if (object instanceof Date) return 'a Date';
  if (object instanceof RegExp) return 'a RegExp';
  if (object instanceof Map) return 'a Map';
  if (object instanceof Set) return 'a Set';
  if (object instanceof Error) return `an error (${object.name})`;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return 'an object with a toJSON method';
  return undefined;
}

const identifier = /^[A-Za-z_$][\w$]*$/;

function propertyPath(key: string): string {
  return identifier.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
