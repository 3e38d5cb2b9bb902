// The worker file of the demo's pool (built to dist/demo-worker.js): the same
// tasks module every other backend runs. The browser example uses it too.
import { exposeTasks } from '@hybridcompute/backend-worker/worker';
import * as tasks from './demo-tasks.js';

exposeTasks(tasks);
