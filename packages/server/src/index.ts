export { ComputeServer, createComputeServer } from './create-compute-server.js';
export type { ComputeServerOptions, ListeningAddress } from './create-compute-server.js';
export { loadTaskModule } from './load-task-module.js';
