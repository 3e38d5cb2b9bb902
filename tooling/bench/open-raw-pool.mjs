import { Worker } from 'node:worker_threads';

/**
 * The floor the worker-pool benchmarks compare against: a hand-rolled pool
 * over bare postMessage, no library, round robin, any number in flight.
 */
export function openRawPool(size) {
  const workers = Array.from({ length: size }, () => new Worker(new URL('./pool-workers/raw-worker.mjs', import.meta.url)));
  const pending = new Map();
  let nextId = 0;
  for (const thread of workers) {
    thread.on('message', ({ id, result }) => {
      const resolve = pending.get(id);
      pending.delete(id);
      resolve(result);
    });
  }
  return {
    run(task, value) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        workers[id % size].postMessage({ id, task, value });
      });
    },
    close: () => Promise.all(workers.map((thread) => thread.terminate())),
  };
}
