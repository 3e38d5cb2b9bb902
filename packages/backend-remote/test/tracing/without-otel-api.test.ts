import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
// `--require` of a resolver hook is Node's: on Bun and Deno the child is Node, the point being the packages without the api.
const nodeBinary = typeof process.versions.bun === 'string' || 'Deno' in globalThis ? 'node' : process.execPath;
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

it('runs calls through the router, a worker and a server (HTTP and WebSocket) when @opentelemetry/api is not installed, looking for it once per package', async () => {
  const { stdout, stderr } = await run(nodeBinary, ['--require', fixture('hide-otel-api.cjs'), fixture('without-otel-api-child.mjs')], { timeout: 60_000 });
  expect(stderr).toBe('');
  const { importFailed, results, lookups } = JSON.parse(stdout) as { importFailed: boolean; results: unknown[]; lookups: number };
  expect(importFailed).toBe(true);
  expect(results).toEqual([0, 0, 2, 2, 4, 4, 'TASK_NOT_FOUND', 0, 0, 2, 2, 4, 4, 'TASK_NOT_FOUND']);
  // The worker pool, the remote backend and the server each looked once, on their first call, and never again.
  expect(lookups).toBe(3);
});
