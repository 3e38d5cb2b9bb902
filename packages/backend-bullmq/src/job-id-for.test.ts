import { describe, expect, it } from 'vitest';
import { jobIdFor, jobIdOfCall } from './job-id-for.js';

describe('jobIdFor', () => {
  it('turns an idempotency key into a job id BullMQ accepts: no colon, never an integer', () => {
    expect(jobIdFor('charge', 'order:17')).toBe('idem/charge/order%3A17');
    expect(jobIdFor('charge', '17')).not.toMatch(/^\d+$/);
    expect(jobIdFor('charge', '17')).not.toContain(':');
  });

  it('keeps the keys of two tasks apart, whatever the names hold', () => {
    expect(jobIdFor('a/b', 'c')).not.toBe(jobIdFor('a', 'b/c'));
    expect(jobIdFor('a%2Fb', 'c')).not.toBe(jobIdFor('a/b', 'c'));
  });

  it('gives the same id for the same task and key', () => {
    expect(jobIdFor('charge', 'order-17')).toBe(jobIdFor('charge', 'order-17'));
  });
});

describe('jobIdOfCall', () => {
  it('uses the idempotency key when there is one, and a fresh id otherwise', () => {
    expect(jobIdOfCall('charge', 'k')).toBe(jobIdFor('charge', 'k'));
    const first = jobIdOfCall('charge', undefined);
    expect(first).not.toBe(jobIdOfCall('charge', undefined));
    expect(first).not.toContain(':');
    expect(first).not.toMatch(/^\d+$/);
  });
});
