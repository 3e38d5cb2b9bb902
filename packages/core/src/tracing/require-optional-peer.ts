/**
 * Requires an optional peer dependency as the package at `fromUrl` would
 * resolve it, through Node's `createRequire` (Node, Bun and Deno have
 * `process.getBuiltinModule`). A package that is not installed, or a runtime
 * with no `process` (a browser, which then holds no import of it), gives
 * `undefined`: one failed lookup, never an exception. Pass your own module's
 * `import.meta.url`, since each package resolves its peers from its own place.
 *
 * @example
 * ```ts
 * import type * as OtelApi from '@opentelemetry/api';
 *
 * const api = requireOptionalPeer<typeof OtelApi>('@opentelemetry/api', import.meta.url);
 * ```
 */
export function requireOptionalPeer<Module>(id: string, fromUrl: string): Module | undefined {
  try {
    const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const nodeModule = runtime?.getBuiltinModule?.('module') as { createRequire(from: string): (id: string) => unknown } | undefined;
    if (nodeModule === undefined) return undefined;
    return nodeModule.createRequire(fromUrl)(id) as Module;
  } catch {
    return undefined;
  }
}
