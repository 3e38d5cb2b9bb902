import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The error to report when importing a tasks module failed: Node's own for
 * most failures, a plainer one for the usual mistakes. A mistyped path that
 * Node took for a package name (`dist/tasks.js`: "Cannot find package
 * 'dist'") says that the file does not exist, and a TypeScript module this
 * runtime cannot load says how to run it.
 *
 * @param url - what was imported: `taskModuleUrl(specifier, cwd)`.
 */
export function explainImportFailure(error: unknown, specifier: string, url: string, cwd: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (url.startsWith('file:')) {
    const path = fileURLToPath(url);
    if (!existsSync(path)) return new Error(`${path} does not exist`, { cause: error });
  } else if (!isInstalled(packageNameOf(specifier), cwd)) {
    // Node says "Cannot find package 'dist'" for dist/tasks.js, Deno "not a dependency": the user meant a file.
    return new Error(`${resolve(cwd, specifier)} does not exist (and no package '${packageNameOf(specifier)}' is installed)`, { cause: error });
  }
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(specifier)) {
    const shown = url.startsWith('file:') && specifier === url ? fileURLToPath(url) : specifier;
    return new Error(
      `${shown} is TypeScript, which this Node.js does not load by itself: run the server under tsx ` +
        `(node --import tsx node_modules/@hybridcompute/server/dist/cli.js ${shown} ...), or compile the module to JavaScript`,
      { cause: error },
    );
  }
  return error;
}

/** Whether a `node_modules/<name>` exists in `cwd` or a directory above it, as Node's resolution would look. */
function isInstalled(name: string, cwd: string): boolean {
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'node_modules', name))) return true;
    if (dirname(directory) === directory) return false;
  }
}

/** `@scope/name` or `name`: what Node looks up for a bare specifier. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}
