import { exposeTasks } from '@hybridcompute/backend-worker/worker';
import * as tasks from './wasm-bench-tasks.mjs';

exposeTasks(tasks);
