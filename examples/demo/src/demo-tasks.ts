import { defineTask } from '@hybridcompute/core';

/**
 * Counts the primes below `limit` by trial division: honest CPU work. It yields
 * to the event loop between chunks and checks its signal there, so a timeout
 * can stop it even on the calling thread.
 */
export const countPrimes = defineTask('countPrimes', async (limit: number, { signal }) => {
  const chunk = 20_000;
  let count = 0;
  for (let start = 2; start < limit; start += chunk) {
    if (start > 2) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (signal.aborted) throw signal.reason;
    }
    for (let candidate = start; candidate < Math.min(limit, start + chunk); candidate++) {
      if (isPrime(candidate)) count++;
    }
  }
  return count;
});

function isPrime(candidate: number): boolean {
  for (let divisor = 2; divisor * divisor <= candidate; divisor++) {
    if (candidate % divisor === 0) return false;
  }
  return true;
}

/** A 32-bit FNV-1a hash of `text`, as hex. */
export const fnv1a = defineTask('fnv1a', (text: string) => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
});

/** Refuses to divide by zero, with a code the caller can act on. */
export const divide = defineTask('divide', ({ dividend, divisor }: { dividend: number; divisor: number }) => {
  if (divisor === 0) throw Object.assign(new RangeError('cannot divide by zero'), { code: 'E_DIVIDE_BY_ZERO' });
  return dividend / divisor;
});
