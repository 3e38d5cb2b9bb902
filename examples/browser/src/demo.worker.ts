// The pool's module worker: the demo's own tasks module, exposed as the Node demo's worker file does.
import { exposeTasks } from '@hybridcompute/backend-worker/worker';
import * as tasks from '@hybridcompute/example-demo/tasks';

exposeTasks(tasks);
