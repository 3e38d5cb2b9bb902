import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full collection, so that garbage does not pass for memory held: Bun's own call on Bun
 * (JavaScriptCore has no V8 flags), V8's `gc` exposed at run time elsewhere (Node and Deno),
 * so the test needs no `--expose-gc`.
 *
 * @example
 * collectGarbage();
 * const before = process.memoryUsage().heapUsed;
 */
export function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun !== undefined) return bun.gc(true);
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
