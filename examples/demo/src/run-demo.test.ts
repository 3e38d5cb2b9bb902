import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo.js';

describe('the demo', () => {
  it('runs the batch on the local backend and reports real codes', async () => {
    const report = await runDemo({ batchSize: 40 });
    expect(report.batch.tasks).toBe(40);
    expect(report.batch.byBackend).toEqual({ local: 40 });
    expect(report.batch.p95Ms).toBeGreaterThanOrEqual(report.batch.p50Ms);
    expect(report.typedResult).toBe(25);
    expect(report.failure).toEqual({ code: 'TASK_FAILED', causeCode: 'E_DIVIDE_BY_ZERO' });
    expect(report.timeout.code).toBe('TASK_TIMEOUT');
  });

  it('exits 2 with a clear message, not a stack, for a bad flag', async () => {
    const demo = fileURLToPath(new URL('../dist/demo.js', import.meta.url));
    const failure = await promisify(execFile)(process.execPath, [demo, '--batch', 'lots']).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 2 });
    const stderr = (failure as { stderr: string }).stderr;
    expect(stderr).toContain("--batch must be a whole number from 1 to 100000, got 'lots'");
    expect(stderr).not.toContain('    at ');
  });
});
