import { defineTask } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { defaultAbortGrace, defaultConcurrentTasksPerWorker, defaultStartupTimeout, readWorkerBackendOptions } from './read-worker-backend-options.js';

const url = 'file:///tasks.worker.js';
const invalid = expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' });

describe('readWorkerBackendOptions', () => {
  it('fills in every default, asking the platform for the size only when none is given', () => {
    let asked = 0;
    const settings = readWorkerBackendOptions({ url }, () => ++asked + 5);
    expect(settings).toEqual({
      url,
      name: 'worker',
      size: 6,
      maxQueue: Number.POSITIVE_INFINITY,
      taskTimeout: undefined,
      concurrentTasksPerWorker: defaultConcurrentTasksPerWorker,
      abortGrace: defaultAbortGrace,
      startupTimeout: defaultStartupTimeout,
      atomics: true,
      workerOptions: undefined,
      declaredTasks: undefined,
    });
    expect(readWorkerBackendOptions({ url, size: 3 }, () => ++asked).size).toBe(3);
    expect(asked).toBe(1);
  });

  it('keeps the options given', () => {
    const workerOptions = { workerData: { answer: 42 } };
    const settings = readWorkerBackendOptions(
      { url: new URL(url), name: 'gpu', size: 2, maxQueue: 0, taskTimeout: 500, concurrentTasksPerWorker: 1, abortGrace: 0, startupTimeout: 100, atomics: false, workerOptions },
      () => 1,
    );
    expect(settings).toMatchObject({ name: 'gpu', size: 2, maxQueue: 0, taskTimeout: 500, concurrentTasksPerWorker: 1, abortGrace: 0, startupTimeout: 100, atomics: false });
    expect(settings.url).toBeInstanceOf(URL);
    expect(settings.workerOptions).toBe(workerOptions);
    expect(readWorkerBackendOptions({ url, maxQueue: Number.POSITIVE_INFINITY }, () => 1).maxQueue).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes the declared tasks as names or as definitions', () => {
    expect(readWorkerBackendOptions({ url, tasks: ['double', 'echo'] }, () => 1).declaredTasks).toEqual(new Set(['double', 'echo']));
    const double = defineTask('double', (n: number) => n * 2);
    expect(readWorkerBackendOptions({ url, tasks: { double } }, () => 1).declaredTasks).toEqual(new Set(['double']));
    expect(readWorkerBackendOptions({ url, tasks: [double] }, () => 1).declaredTasks).toEqual(new Set(['double']));
  });

  it.each([
    ['no options', undefined],
    ['an empty url', { url: '' }],
    ['a url that is a number', { url: 5 }],
    ['a size of 0', { url, size: 0 }],
    ['a fractional size', { url, size: 1.5 }],
    ['a negative maxQueue', { url, maxQueue: -1 }],
    ['a taskTimeout of 0', { url, taskTimeout: 0 }],
    ['a negative taskTimeout', { url, taskTimeout: -1 }],
    ["a taskTimeout past setTimeout's limit", { url, taskTimeout: 2 ** 40 }],
    ['a NaN abortGrace', { url, abortGrace: Number.NaN }],
    ['a string startupTimeout', { url, startupTimeout: '5' }],
    ['a concurrentTasksPerWorker of 0', { url, concurrentTasksPerWorker: 0 }],
    ['an atomics option that is not a boolean', { url, atomics: 'yes' }],
    ['workerOptions that are not an object', { url, workerOptions: 'fast' }],
    ['an empty name', { url, name: '' }],
    ['tasks that are not tasks', { url, tasks: [1, 2] }],
  ])('refuses %s with an INVALID_REQUEST TypeError', (_label, options) => {
    expect(() => readWorkerBackendOptions(options as never, () => 1)).toThrow(invalid);
  });

  it('names the option that is wrong', () => {
    expect(() => readWorkerBackendOptions({ url, concurrentTasksPerWorker: -2 }, () => 1)).toThrow(/concurrentTasksPerWorker must be a positive integer, got -2/);
  });
});
