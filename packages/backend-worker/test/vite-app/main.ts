// A Vite app that points the pool at a .ts worker file, as the README shows.
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import workerUrl from './tasks.worker.ts?worker&url';

async function viteScenario(): Promise<{ tasks: string[]; area: unknown }> {
  const backend = createWorkerBackend({ url: workerUrl, size: 1 });
  await backend.ready();
  const area = await backend.runTask('area', { width: 6, height: 7 });
  const tasks = backend.taskNames;
  await backend.close();
  return { tasks, area };
}

(globalThis as { viteScenario?: typeof viteScenario }).viteScenario = viteScenario;
