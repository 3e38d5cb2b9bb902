import { collectTasks, invalidArgumentError, maxTimerDelay, type TaskCollection } from '@hybridcompute/core';
import type { WorkerBackendOptions, WorkerConstructorOptions } from './worker-backend-options.js';

/** {@link WorkerBackendOptions} once checked, with every default filled in. Internal. */
export interface WorkerPoolSettings {
  readonly url: string | URL;
  readonly name: string;
  readonly size: number;
  /** `Infinity` when unbounded. */
  readonly maxQueue: number;
  readonly taskTimeout: number | undefined;
  readonly concurrentTasksPerWorker: number;
  readonly abortGrace: number;
  readonly startupTimeout: number;
  readonly atomics: boolean;
  readonly workerOptions: WorkerConstructorOptions | undefined;
  /** The task names given in `tasks`, for `canRun` before the handshake. */
  readonly declaredTasks: ReadonlySet<string> | undefined;
}

export const defaultConcurrentTasksPerWorker = 8;
export const defaultAbortGrace = 1000;
export const defaultStartupTimeout = 30_000;

/**
 * Checks `createWorkerBackend`'s options and fills in the defaults. Internal.
 *
 * @param defaultSize - the platform's parallelism, asked only when `size` is not given.
 * @throws TypeError (code `INVALID_REQUEST`) naming the option that is wrong.
 */
export function readWorkerBackendOptions(options: WorkerBackendOptions, defaultSize: () => number): WorkerPoolSettings {
  if (typeof options !== 'object' || options === null) throw invalidArgumentError('createWorkerBackend: options must be an object with a url');
  const { url } = options;
  if (!(typeof url === 'string' && url.length > 0) && !(typeof URL !== 'undefined' && url instanceof URL)) {
    throw invalidArgumentError('createWorkerBackend: url must be a non-empty string or a URL of the worker file');
  }
  if (options.atomics !== undefined && typeof options.atomics !== 'boolean') throw invalidArgumentError('createWorkerBackend: atomics must be a boolean');
  const { workerOptions } = options;
  if (workerOptions !== undefined && (typeof workerOptions !== 'object' || workerOptions === null)) {
    throw invalidArgumentError('createWorkerBackend: workerOptions must be an object');
  }
  return {
    url,
    name: optionalName(options.name),
    size: positiveInteger('size', options.size) ?? defaultSize(),
    maxQueue: nonNegativeInteger('maxQueue', options.maxQueue) ?? Number.POSITIVE_INFINITY,
    taskTimeout: milliseconds('taskTimeout', options.taskTimeout),
    concurrentTasksPerWorker: positiveInteger('concurrentTasksPerWorker', options.concurrentTasksPerWorker) ?? defaultConcurrentTasksPerWorker,
    abortGrace: milliseconds('abortGrace', options.abortGrace, true) ?? defaultAbortGrace,
    startupTimeout: milliseconds('startupTimeout', options.startupTimeout) ?? defaultStartupTimeout,
    atomics: options.atomics ?? true,
    workerOptions,
    declaredTasks: declaredTaskNames(options.tasks),
  };
}

function declaredTaskNames(tasks: WorkerBackendOptions['tasks']): Set<string> | undefined {
  if (tasks === undefined) return undefined;
  if (Array.isArray(tasks) && tasks.every((task) => typeof task === 'string')) return new Set(tasks as readonly string[]);
  return new Set(collectTasks(tasks as TaskCollection).keys());
}

function optionalName(name: unknown): string {
  if (name === undefined) return 'worker';
  if (typeof name !== 'string' || name.length === 0) throw invalidArgumentError('createWorkerBackend: name must be a non-empty string');
  return name;
}

function positiveInteger(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArgumentError(`createWorkerBackend: ${option} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInteger(option: string, value: unknown): number | undefined {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalidArgumentError(`createWorkerBackend: ${option} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function milliseconds(option: string, value: unknown, zeroAllowed = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(zeroAllowed ? value >= 0 : value > 0) || value > maxTimerDelay) {
    throw invalidArgumentError(`createWorkerBackend: ${option} must be a number of milliseconds up to ${maxTimerDelay}, got ${String(value)}`);
  }
  return value;
}
