import { describe, expect, it } from 'vitest';
import { jobOutcomeOf } from './job-outcome-of.js';

describe('jobOutcomeOf', () => {
  it('reads a job without a timestamp as gone', () => {
    expect(jobOutcomeOf([null, null, null, null])).toEqual({ kind: 'gone' });
    expect(jobOutcomeOf([])).toEqual({ kind: 'gone' });
  });

  it('reads a job that has not finished as unfinished', () => {
    expect(jobOutcomeOf(['1700000000000', null, null, null])).toEqual({ kind: 'unfinished' });
    expect(jobOutcomeOf(['1700000000000', '', null, 'an earlier attempt failed'])).toEqual({ kind: 'unfinished' });
  });

  it('reads a completed job with its parsed return value', () => {
    expect(jobOutcomeOf(['1', '2', '{"result":7}', null])).toEqual({ kind: 'completed', returnvalue: { result: 7 } });
  });

  it('lets the return value win over the failed reason an earlier attempt left', () => {
    expect(jobOutcomeOf(['1', '2', '{"result":6}', 'flaky'])).toEqual({ kind: 'completed', returnvalue: { result: 6 } });
  });

  it('reads a failed job with its reason', () => {
    expect(jobOutcomeOf(['1', '2', null, 'disk full'])).toEqual({ kind: 'failed', failedReason: 'disk full' });
  });

  it('reads a return value that is not JSON as undefined, never a throw', () => {
    expect(jobOutcomeOf(['1', '2', '{not json', null])).toEqual({ kind: 'completed', returnvalue: undefined });
  });
});
