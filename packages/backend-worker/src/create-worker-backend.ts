import { webWorkerPlatform } from './web-worker-platform.js';
import { WorkerBackend } from './worker-backend.js';
import type { WorkerBackendOptions } from './worker-backend-options.js';

/**
 * Creates a pool of workers that run the tasks a worker file exposes. The
 * same call works in browsers (module Web Workers) and in Node
 * (`worker_threads`, picked through the package's `node` export condition).
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing `url` or an option of the wrong kind.
 *
 * @example
 * ```ts
 * import { createWorkerBackend } from '@hybridcompute/backend-worker';
 *
 * const worker = createWorkerBackend({ url: new URL('./tasks.worker.js', import.meta.url), size: 4, taskTimeout: 5_000 });
 * await worker.ready();
 * await worker.runTask('double', 21); // 42
 * await worker.close();
 * ```
 */
export function createWorkerBackend(options: WorkerBackendOptions): WorkerBackend {
  return new WorkerBackend(options, webWorkerPlatform);
}
