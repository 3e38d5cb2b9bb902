export { runDemo, demoBackendNames } from './run-demo.js';
export type {
  DemoBackendName,
  DemoFallback,
  DemoProgressEvent,
  DemoReport,
  DemoSlowdown,
  RunDemoOptions,
} from './run-demo.js';
export { spawnDemoServer, DemoServerStartError } from './spawn-demo-server.js';
export type { DemoServerProcess } from './spawn-demo-server.js';
export { startDemoServer, viteOrigins } from './start-demo-server.js';
export type { StartDemoServerOptions } from './start-demo-server.js';
export { formatDemoReport } from './format-demo-report.js';
export type { BackendFigures, DemoPhase } from './run-demo-phase.js';
export { warmUpDemoBackends } from './warm-up-demo-backends.js';
export type { WarmUpDemoBackendsOptions } from './warm-up-demo-backends.js';
export { runProgressAndStream } from './run-progress-and-stream.js';
export type { DemoLongTask, DemoStream, ProgressAndStreamEvent, ProgressAndStreamOptions } from './run-progress-and-stream.js';
