import { expect, it } from 'vitest';
import type { SuiteContext } from './suite-context.js';

export function describeConcurrency({ backend }: SuiteContext): void {
  it('matches 500 parallel calls to their own results', async () => {
    const inputs = Array.from({ length: 500 }, (_, index) => index);
    const results = await Promise.all(inputs.map((value) => backend().runTask('double', value)));
    expect(results).toEqual(inputs.map((value) => value * 2));
  });

  it('matches calls that finish out of order to their own results', async () => {
    // Later calls wait less, so they finish first.
    const inputs = Array.from({ length: 50 }, (_, index) => ({ value: { id: index, tag: `call-${index}` }, ms: 50 - index }));
    const results = await Promise.all(inputs.map((input) => backend().runTask('delayedEcho', input)));
    expect(results).toEqual(inputs.map((input) => input.value));
  });

  it('keeps successes and failures apart when they are mixed', async () => {
    const calls = Array.from({ length: 100 }, (_, index) =>
      index % 3 === 0
        ? backend().runTask('fail', { message: `failure ${index}`, code: `E_${index}` })
        : backend().runTask('double', index),
    );
    const outcomes = await Promise.allSettled(calls);
    outcomes.forEach((outcome, index) => {
      if (index % 3 === 0) {
        expect(outcome.status).toBe('rejected');
        expect(((outcome as PromiseRejectedResult).reason as { cause?: { code?: string } }).cause?.code).toBe(`E_${index}`);
      } else {
        expect(outcome).toEqual({ status: 'fulfilled', value: index * 2 });
      }
    });
  });
}
