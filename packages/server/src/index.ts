export { ComputeServer, createComputeServer } from './create-compute-server.js';
export type { ComputeServerOptions, ListeningAddress } from './create-compute-server.js';
export { loadTaskModule } from './load-task-module.js';
export type { ComputeServerTlsOptions, PemInput } from './tls-options.js';
export type { ComputeServerMetricsOption } from './metrics-options.js';
export type { AccessLogFields, AccessLogger } from './access-log.js';
export { registerComputeMetrics } from './register-compute-metrics.js';
export type { RouterStatsSource, WorkerPoolStatsSource } from './register-compute-metrics.js';
