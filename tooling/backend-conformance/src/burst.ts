import { expect, it } from 'vitest';
import type { SuiteContext } from './suite-context.js';

export function describeBurst({ backend }: SuiteContext, calls: number): void {
  it(`answers a burst of ${calls} concurrent calls, every one of them`, async () => {
    const inputs = Array.from({ length: calls }, (_, index) => ({ value: index, ms: index % 7 }));
    const outcomes = await Promise.allSettled(inputs.map((input) => backend().runTask('delayedEcho', input)));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused.map((outcome) => String((outcome as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
    expect(outcomes.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value)).toEqual(inputs.map((input) => input.value));
  });
}
