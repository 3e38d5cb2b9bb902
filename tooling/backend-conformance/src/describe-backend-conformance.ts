import { afterEach, beforeEach, describe } from 'vitest';
import { describeAbort } from './abort.js';
import { describeAfterClose } from './after-close.js';
import { describeBadOptions } from './bad-options.js';
import { describeBurst } from './burst.js';
import { describeCredentials } from './credentials.js';
import { describeErrorNames } from './error-names.js';
import { describeCanRun } from './can-run.js';
import { describeConcurrency } from './concurrency.js';
import { describeDispose } from './dispose.js';
import { describeErrors } from './errors.js';
import { describeProgress } from './progress.js';
import { describeRunTask } from './run-task.js';
import { describeValues } from './values.js';
import { describeStreaming } from './streaming.js';
import { describeStreamsRefused } from './streams-refused.js';
import type { BackendConformanceOptions, BackendUnderTest, SuiteContext } from './suite-context.js';

/**
 * Registers the conformance suite every hybrid-compute backend must pass.
 * Call it at the top level of a vitest test file.
 *
 * @param name - how the backend appears in test names.
 * @param options - `createBackend` (a fresh backend per test, serving
 *   `conformanceTasks`), `dispose`, and declared `capabilities`.
 *
 * @example
 * ```ts
 * import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
 * import { createLocalBackend } from '@hybridcompute/backend-local';
 *
 * describeBackendConformance('backend-local', {
 *   createBackend: () => createLocalBackend({ tasks: conformanceTasks }),
 * });
 * ```
 */
export function describeBackendConformance(name: string, options: BackendConformanceOptions): void {
  const capabilities = { abort: true, close: true, progress: true, streaming: true, ...options.capabilities };
  let current: BackendUnderTest | undefined;
  const context: SuiteContext = {
    options,
    capabilities,
    backend: () => {
      if (current === undefined) throw new Error('the conformance suite has no backend outside a test');
      return current;
    },
  };

  describe(`${name} conforms to ComputeBackendInterface`, { timeout: options.testTimeoutMs ?? 20_000 }, () => {
    beforeEach(async () => {
      current = await options.createBackend();
    });
    afterEach(async () => {
      const backend = current;
      current = undefined;
      if (backend !== undefined) await options.dispose?.(backend);
    });

    describe('canRun', () => describeCanRun(context));
    describe('runTask', () => describeRunTask(context));
    describe('errors', () => describeErrors(context));
    describe('concurrency', () => describeConcurrency(context));
    // Declared gaps leave their group out rather than skipping it test by test.
    if (capabilities.abort) describe('abort', () => describeAbort(context));
    describe('dispose', () => describeDispose(context));
    describe('values', () => describeValues(context));
    describe('bad options', () => describeBadOptions(context));
    if (capabilities.progress) describe('progress', () => describeProgress(context));
    if (capabilities.streaming) describe('streaming', () => describeStreaming(context));
    else describe('streaming, declared missing', () => describeStreamsRefused(context));
    describe('errors name their task and backend', () => describeErrorNames(context));
    if (capabilities.close) describe('after close', () => describeAfterClose(context));
    const { wrongCredentials, burst } = capabilities;
    if (typeof wrongCredentials === 'function') describe('credentials', () => describeCredentials(context, wrongCredentials));
    if (typeof burst === 'number') describe('burst', () => describeBurst(context, burst));
  });
}
