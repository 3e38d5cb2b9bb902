import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import * as tasks from './demo-tasks.js';

/** Options for {@link startDemoServer}. */
export interface StartDemoServerOptions {
  /** Default 8787; 0 takes a free port. */
  port?: number | undefined;
  /** Default `'127.0.0.1'`. */
  host?: string | undefined;
  /** Origins whose pages may call the server (the server's `corsOrigins`). Default: the Vite dev and preview origins on this machine. */
  corsOrigins?: '*' | readonly string[] | undefined;
}

/** The Vite dev server's and `vite preview`'s default origins, where the browser example runs. */
export const viteOrigins: readonly string[] = ['5173', '4173'].flatMap((port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`]);

/**
 * Serves the demo's tasks in this process with CORS for browser pages: what
 * `pnpm demo --serve` runs and what the browser example calls. (The demo's own
 * run starts the CLI in a child process instead: see `spawnDemoServer`.)
 *
 * @example
 * ```ts
 * const { url, server } = await startDemoServer({ port: 0, corsOrigins: ['http://127.0.0.1:5173'] });
 * // ... a page calls url ...
 * await server.close();
 * ```
 */
export async function startDemoServer({
  port = 8787,
  host = '127.0.0.1',
  corsOrigins = viteOrigins,
}: StartDemoServerOptions = {}): Promise<{ url: string; port: number; server: ComputeServer }> {
  const server = createComputeServer({ tasks, corsOrigins });
  const address = await server.listen(port, host);
  return { ...address, server };
}
