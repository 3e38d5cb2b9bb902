// The module Web Worker of the browser test, bundled by esbuild for the browser:
// it exposes the same tasks module as the Node worker file, which fetches its
// math.wasm (a URL next to the bundle) once, on this worker's first call.
import { exposeTasks } from '@hybridcompute/backend-worker/worker';
import * as tasks from '../fixtures/wasm-tasks.mjs';

exposeTasks(tasks);
