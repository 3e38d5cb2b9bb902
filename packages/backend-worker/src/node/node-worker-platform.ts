import { availableParallelism } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { SpawnedWorker, WorkerPlatform } from '../worker-platform.js';
import { nodeWorkerEndpoint } from './private-channel.js';

/** worker_threads: a worker that throws at top level, exits or runs out of memory emits `exit`. */
export const nodeWorkerPlatform: WorkerPlatform = {
  spawn(url, workerOptions, lifecycle): SpawnedWorker {
    const worker = new Worker(toWorkerFilename(url), workerOptions as WorkerOptions | undefined);
    let lastError: Error | undefined;
    let terminated = false;
    worker.on('error', (error: unknown) => {
      lastError = error instanceof Error ? error : new Error(String(error));
    });
    worker.once('exit', (exitCode) => {
      if (terminated) return;
      terminated = true;
      lifecycle.onExit(lastError ?? new Error(`the worker exited with code ${exitCode}`));
    });
    const endpoint = nodeWorkerEndpoint(worker);
    return {
      endpoint,
      async terminate() {
        terminated = true;
        endpoint.close();
        await worker.terminate();
      },
    };
  },
  defaultSize: () => availableParallelism(),
};

// Node takes a path or a URL object; a URL in a string ('file:///...', as from
// `import.meta.resolve`) would be read as a relative path.
function toWorkerFilename(url: string | URL): string | URL {
  return typeof url === 'string' && /^(file|data):/i.test(url) ? new URL(url) : url;
}
