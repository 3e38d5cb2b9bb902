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
  // Primitives need no walk; the path is only built for a value that is refused.
  const found = typeof value === 'object' && value !== null ? mismatchInObject(value, new Set()) : mismatchOfPrimitive(value);
  return found === undefined ? undefined : `${path}${found}`;
}

// Why JSON would change a primitive (`: NaN cannot travel as JSON`), or undefined.
function mismatchOfPrimitive(value: unknown): string | undefined {
  switch (typeof value) {
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return undefined;
      return `: ${Object.is(value, -0) ? '-0' : String(value)} cannot travel as JSON`;
    case 'undefined':
      return ': undefined cannot travel as JSON';
    case 'bigint':
      return ': a BigInt cannot travel as JSON';
    case 'function':
      return ': a function cannot travel as JSON';
    case 'symbol':
      return ': a symbol cannot travel as JSON';
    default:
      return undefined;
  }
}

// The path below `object` to the first value JSON would change, and why (`.pixels: a Uint8Array ...`).
function mismatchInObject(object: object, ancestors: Set<object>): string | undefined {
  if (ancestors.has(object)) return ': a cycle cannot travel as JSON';
  if (Array.isArray(object)) {
    ancestors.add(object);
    for (let index = 0; index < object.length; index++) {
      const item: unknown = object[index];
      const found = typeof item === 'object' && item !== null ? mismatchInObject(item, ancestors) : mismatchOfPrimitive(item);
      if (found !== undefined) return `[${index}]${found}`;
    }
    ancestors.delete(object);
    return undefined;
  }
  const kind = nonPlainKind(object);
  if (kind !== undefined) return `: ${kind} cannot travel as JSON`;
  ancestors.add(object);
  for (const key of Object.keys(object)) {
    const property = (object as Record<string, unknown>)[key];
    if (property === undefined) continue;
    const found = typeof property === 'object' && property !== null ? mismatchInObject(property, ancestors) : mismatchOfPrimitive(property);
    if (found !== undefined) return `${propertyPath(key)}${found}`;
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
