import type { SpawnedWorker, WorkerPlatform } from './worker-platform.js';

/**
 * Module Web Workers, through `globalThis.Worker`. A browser worker does not
 * die of an uncaught error, so only a load failure ends one on its own; the
 * pool's deadlines deal with a worker that hangs.
 */
export const webWorkerPlatform: WorkerPlatform = {
  spawn(url, workerOptions, lifecycle): SpawnedWorker {
    const WorkerConstructor = (globalThis as { Worker?: typeof Worker }).Worker;
    if (WorkerConstructor === undefined) {
      throw new Error('this environment has no Web Worker (globalThis.Worker); in Node, the package resolves to its worker_threads build');
    }
    const worker = new WorkerConstructor(url, { ...workerOptions, type: 'module' });
    let terminated = false;
    let started = false;
    const onFirstMessage = (): void => {
      started = true;
      worker.removeEventListener('message', onFirstMessage);
    };
    worker.addEventListener('message', onFirstMessage);
    worker.addEventListener('error', (event: ErrorEvent) => {
      // After the handshake an uncaught error leaves the worker running; the task's own error reaches its caller.
      if (started || terminated) return;
      terminated = true;
      event.preventDefault();
      worker.terminate();
      lifecycle.onExit(new Error(event.message || `could not load the worker script ${String(url)}`));
    });
    return {
      endpoint: worker,
      terminate() {
        terminated = true;
        worker.terminate();
        return Promise.resolve();
      },
    };
  },
  defaultSize() {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    return typeof cores === 'number' && cores > 0 ? cores : 4;
  },
};
