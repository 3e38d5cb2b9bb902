export { BullmqBackend, createBullmqBackend, jobIdFor } from './create-bullmq-backend.js';
export type { BullmqBackendOptions, BullmqBackendStats, BullmqJobOptions, BullmqRetryOptions, BullmqRunTaskOptions } from './create-bullmq-backend.js';
export { BullmqWorker, createBullmqWorker } from './create-bullmq-worker.js';
export type { BullmqWorkerOptions } from './create-bullmq-worker.js';
export type { BullmqConnection } from './bullmq-connection.js';
export { decodeJobFailure, encodeJobFailure } from './job-envelope.js';
export type { BullmqJobData, BullmqJobResult } from './job-envelope.js';
