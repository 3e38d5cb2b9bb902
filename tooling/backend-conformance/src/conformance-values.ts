/**
 * The structured-clone set, one value of each kind, as a task's input or
 * result may hold them: what every backend must carry unchanged. Each entry
 * is built fresh, since tasks may keep what they are given.
 */
export function structuredCloneSamples(): [string, unknown][] {
  const shared = { shared: true };
  const cyclic: { self?: unknown; name: string } = { name: 'cycle' };
  cyclic.self = cyclic;
  const failure = new RangeError('out of range', { cause: new Error('the cause') });
  return [
    ['a string', 'héllo, wörld ✓'],
    ['an integer', 42],
    ['a float', -1.5e-300],
    ['NaN', Number.NaN],
    ['-0', -0],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['true', true],
    ['null', null],
    ['undefined', undefined],
    ['a BigInt', 2n ** 70n],
    ['a negative BigInt', -12345678901234567890n],
    ['a plain object', { a: 1, nested: { b: [1, 2, { c: 'd' }] } }],
    ['an object with an undefined property', { present: 1, absent: undefined }],
    ['an array with undefined and -0', [1, undefined, -0, 'x']],
    ['a Date', new Date(Date.UTC(2026, 11, 1, 9, 30))],
    ['a RegExp', /^a+(b|c)$/giu],
    ['a Map', new Map<unknown, unknown>([[1, 'one'], ['two', { n: 2 }], [{ key: true }, [3]]])],
    ['a Set', new Set<unknown>([1, 'two', { three: 3 }])],
    ['an ArrayBuffer', new Uint8Array([1, 2, 3, 255]).buffer],
    ['a Uint8Array', new Uint8Array([0, 1, 254, 255])],
    ['a Float64Array with -0 and NaN', new Float64Array([0.5, -0, Number.NaN, 1e308])],
    ['an Int32Array', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ['a BigInt64Array', new BigInt64Array([-1n, 2n ** 62n])],
    ['a DataView', new DataView(new Uint8Array([9, 8, 7]).buffer)],
    ['an error with a cause', failure],
    ['shared references', { first: shared, second: shared }],
    ['a cycle', cyclic],
    ['everything nested', { pixels: new Uint8ClampedArray([1, 2]), tags: new Set(['a']), index: new Map([['k', [-0, 2n]]]), when: new Date(0) }],
  ];
}

/** Large values: a 16 MiB typed array and an object of 100,000 keys. */
export function largeSamples(): [string, unknown][] {
  const manyKeys: Record<string, number> = {};
  for (let index = 0; index < 100_000; index++) manyKeys[`key${index}`] = index;
  const bytes = new Float64Array(2 * 1024 * 1024);
  for (let index = 0; index < bytes.length; index += 4096) bytes[index] = index / 3;
  return [
    ['a 16 MiB Float64Array', bytes],
    ['an object of 100,000 keys', manyKeys],
  ];
}
