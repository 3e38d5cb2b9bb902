import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Makes a check of presented tokens against `expected`, in constant time.
 * Both sides are hashed so that neither the comparison nor an early length
 * check says how long the expected token is; the expected one is hashed here,
 * once, rather than on every request.
 */
export function createTokenCheck(expected: string): (presented: string) => boolean {
  const expectedDigest = digest(expected);
  return (presented) => timingSafeEqual(digest(presented), expectedDigest);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
