// The worker thread the CLI's `--workers` pool starts (dist/cli-worker.js, not
// exported): it loads the tasks module the way the CLI does, so default
// exports, arrays and records work here too, and serves it to the pool.
// Top-level await is safe: this file is only ever a worker's entry, never
// `require()`d, and a module that fails to load fails this file's evaluation,
// which the pool reports as `ready()` rejecting.
import { workerData } from 'node:worker_threads';
import { exposeTasks } from '@hybridcompute/backend-worker/worker';
import { loadTaskModule } from './load-task-module.js';

const { tasksModule, typescriptLoader } = workerData as { tasksModule: string; typescriptLoader?: string | undefined };
// The main thread runs under tsx: its hooks do not reach this thread, so register them here.
if (typescriptLoader !== undefined) ((await import(typescriptLoader)) as { register(): unknown }).register();
exposeTasks([...(await loadTaskModule(tasksModule)).values()]);
