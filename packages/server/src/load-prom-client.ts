import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

let loaded: typeof PromClient | undefined;

/**
 * prom-client, loaded the first time metrics are asked for: a server without
 * metrics neither pays for loading it nor needs it installed in a trimmed
 * image. It is a CommonJS package, so `require` loads it synchronously and
 * shares the instance an `import 'prom-client'` of the user's gets.
 */
export function promClient(): typeof PromClient {
  loaded ??= createRequire(import.meta.url)('prom-client') as typeof PromClient;
  return loaded;
}
