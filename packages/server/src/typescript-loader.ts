import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where tsx's registration API is, when this process runs under tsx (`tsx
 * cli.js`, or `node --import tsx cli.js`); `undefined` otherwise. Worker
 * threads do not run the main thread's `--import` hooks, so a `--workers`
 * pool registers tsx itself in each worker before it loads a TypeScript
 * tasks module.
 */
export function typescriptLoaderUrl(execArgv: readonly string[] = process.execArgv, cwd = process.cwd()): string | undefined {
  const tsxFlags = execArgv.filter((arg) => /(^|[/\\])tsx($|[/\\@])/.test(arg));
  if (tsxFlags.length === 0) return undefined;
  // tsx's own files first (its CLI passes them by absolute path), then the app's install, then this package's.
  const bases = [...tsxFlags.filter((arg) => arg.startsWith('file:') || isAbsolute(arg)), pathToFileURL(join(cwd, 'index.js')).href, import.meta.url];
  for (const base of bases) {
    try {
      // `require.resolve` would give the CommonJS build, which cannot register ESM hooks in a worker: read the ESM one from the package's exports.
      const manifestPath = createRequire(base).resolve('tsx/package.json');
      const entry = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: unknown } }> }).exports?.['./esm/api']?.import?.default;
      if (typeof entry === 'string') return pathToFileURL(join(dirname(manifestPath), entry)).href;
    } catch {
      // Not resolvable from there: try the next place.
    }
  }
  return undefined;
}
