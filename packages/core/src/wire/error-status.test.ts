import { describe, expect, it } from 'vitest';
import { computeErrorCodes } from '../compute-error.js';
import { codeOfHttpStatus, httpStatusOf } from './error-status.js';

describe('httpStatusOf and codeOfHttpStatus', () => {
  it('follows the error table in docs/architecture.md', () => {
    expect(httpStatusOf('INVALID_REQUEST')).toBe(400);
    expect(httpStatusOf('UNAUTHORIZED')).toBe(401);
    expect(httpStatusOf('TASK_NOT_FOUND')).toBe(404);
    expect(httpStatusOf('TASK_FAILED')).toBe(422);
    expect(httpStatusOf('QUEUE_FULL')).toBe(503);
    expect(httpStatusOf('BACKEND_UNAVAILABLE')).toBe(503);
    expect(httpStatusOf('TASK_TIMEOUT')).toBe(504);
  });

  it('reads every status it writes, except the shared 400 and the 500 of caller-side codes, back to a code with that status', () => {
    for (const code of computeErrorCodes) {
      const status = httpStatusOf(code);
      if (status === 400 || status === 500) continue;
      expect(httpStatusOf(codeOfHttpStatus(status)), code).toBe(status);
    }
  });

  it('reads an older server\'s bare 400 as the task failing, and unknown 5xx as unavailable', () => {
    expect(codeOfHttpStatus(400)).toBe('TASK_FAILED');
    expect(codeOfHttpStatus(502)).toBe('BACKEND_UNAVAILABLE');
    expect(codeOfHttpStatus(413)).toBe('INVALID_REQUEST');
    expect(codeOfHttpStatus(429)).toBe('QUEUE_FULL');
  });
});
