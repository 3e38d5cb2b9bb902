export { BullmqBackend, createBullmqBackend } from './create-bullmq-backend.js';
export type { BullmqBackendStats } from './bullmq-backend-stats.js';
export type { BullmqBackendOptions, BullmqJobOptions, BullmqRetryOptions, BullmqRunTaskOptions } from './bullmq-backend-options.js';
export { jobIdFor } from './job-id-for.js';
export { BullmqWorker, createBullmqWorker } from './create-bullmq-worker.js';
export type { BullmqWorkerOptions } from './create-bullmq-worker.js';
export type { BullmqConnection } from './bullmq-connection.js';
export { decodeJobFailure, decodeJobValue, encodeJobFailure, encodeJobValue, resultOfJob } from './job-envelope.js';
export type { BullmqJobData, BullmqJobProgress, BullmqJobResult } from './job-envelope.js';
