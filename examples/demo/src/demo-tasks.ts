import { defineTask } from '@hybridcompute/core';
import { wasmTasks } from '@hybridcompute/wasm';
import { fromBase64 } from './base64.js';
import { boxPass, fnv1aHex, fnv1aStart, fnv1aUpdate } from './box-blur.js';
import { fillPseudoRandom } from './fill-pseudo-random.js';
import { longestCollatzWasm } from './longest-collatz-wasm.js';

/**
 * The demo's tasks. One module serves every backend: the local backend
 * registers it, `demo-worker.ts` exposes it in a worker (Node or browser), and
 * the compute server's CLI serves the built `dist/demo-tasks.js`. It uses only
 * what Node 20 and browsers share (Web Crypto, `atob`), and every result is
 * JSON, so the backends' answers can be compared with `===`.
 */

/** What {@link sha256} hashes: `bytes` pseudo-random bytes made from `seed`. */
export interface Sha256Input {
  bytes: number;
  seed: number;
}

/**
 * SHA-256 (Web Crypto) of a buffer generated from `seed`, as hex. The input is
 * tiny and the buffer is made where the task runs, so the cost is the hashing.
 *
 * @example
 * ```ts
 * await compute.runTask('sha256', { bytes: 65_536, seed: 7 }); // '3f0c…' (64 hex digits)
 * ```
 */
export const sha256 = defineTask('sha256', async ({ bytes, seed }: Sha256Input): Promise<string> => {
  const data = new Uint8Array(bytes);
  fillPseudoRandom(data, seed);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
});

/** What {@link countPrimes} reports after each chunk of candidates: how far it got. */
export interface CountPrimesProgress {
  /** Candidates checked so far: the call is done when it reaches `limit`. */
  checked: number;
  limit: number;
  /** Primes found so far. */
  primes: number;
}

/**
 * Counts the primes below `limit` by trial division: honest CPU work. It yields
 * to the event loop between chunks and checks `ctx.signal` there, so a timeout
 * or an abort stops it even on the calling thread. After each chunk it reports
 * {@link CountPrimesProgress} (`ctx.progress`), the last one with `checked === limit`.
 *
 * @example
 * ```ts
 * await compute.runTask('countPrimes', 100); // 25
 * await compute.runTask('countPrimes', 1_000_000, { onProgress: ({ checked, limit }) => draw(checked / limit) }); // 78498
 * ```
 */
export const countPrimes = defineTask('countPrimes', async (limit: number, { signal, progress }): Promise<number> => {
  const chunk = 20_000;
  let count = 0;
  for (let start = 2; start < limit; start += chunk) {
    if (start > 2) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      signal.throwIfAborted();
    }
    const end = Math.min(limit, start + chunk);
    for (let candidate = start; candidate < end; candidate++) {
      if (isPrime(candidate)) count++;
    }
    progress({ checked: end, limit, primes: count } satisfies CountPrimesProgress);
  }
  return count;
});

function isPrime(candidate: number): boolean {
  for (let divisor = 2; divisor * divisor <= candidate; divisor++) {
    if (candidate % divisor === 0) return false;
  }
  return true;
}

/**
 * An RGBA image for {@link blurImage}. `pixels` (width × height × 4 bytes) is an
 * ArrayBuffer where structured clone carries it (the local backend, a worker,
 * to which it can be transferred) or base64 text where only JSON does (a
 * compute server).
 */
export interface BlurInput {
  width: number;
  height: number;
  /** The box's reach in pixels on each side: 1 averages a 3×3 box. */
  radius: number;
  pixels: ArrayBuffer | string;
}

/** What {@link blurImage} answers: small and JSON, the same from every backend. */
export interface BlurSummary {
  width: number;
  height: number;
  /** FNV-1a (32 bit, hex) of the blurred RGBA bytes. */
  checksum: string;
}

/**
 * A box blur over an RGBA image (two passes, horizontal then vertical, edges
 * clamped). Answers the dimensions and a checksum of the blurred pixels rather
 * than the pixels, so the answer is as small over the network as on a worker.
 *
 * @example
 * ```ts
 * const pixels = new Uint8Array(64 * 64 * 4).buffer;
 * await worker.runTask('blurImage', transfer({ width: 64, height: 64, radius: 2, pixels }, [pixels]));
 * // { width: 64, height: 64, checksum: '…' }; pixels is now detached
 * ```
 */
export const blurImage = defineTask('blurImage', ({ width, height, radius, pixels }: BlurInput): BlurSummary => {
  const source = typeof pixels === 'string' ? fromBase64(pixels) : new Uint8Array(pixels);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || source.length !== width * height * 4) {
    throw Object.assign(new RangeError(`expected ${width}×${height}×4 bytes of RGBA, got ${source.length}`), { code: 'E_IMAGE_SIZE' });
  }
  const across = boxPass(source, width, height, radius, 4, width * 4);
  const blurred = boxPass(across, height, width, radius, width * 4, 4);
  return { width, height, checksum: fnv1aHex(fnv1aUpdate(fnv1aStart, blurred)) };
});

/**
 * Refuses to divide by zero, with a code the caller can act on: shows that a
 * task's own error arrives as `TASK_FAILED` with the original as `cause`.
 *
 * @example
 * ```ts
 * await compute.runTask('divide', { dividend: 1, divisor: 0 }); // rejects: TASK_FAILED, cause.code 'E_DIVIDE_BY_ZERO'
 * ```
 */
export const divide = defineTask('divide', ({ dividend, divisor }: { dividend: number; divisor: number }): number => {
  if (divisor === 0) throw Object.assign(new RangeError('cannot divide by zero'), { code: 'E_DIVIDE_BY_ZERO' });
  return dividend / divisor;
});

/**
 * The start below `limit` with the longest Collatz sequence, computed by a
 * WebAssembly module (`longest-collatz.wat`; its bytes travel inside this
 * module, so every thread and process that imports it compiles it itself).
 *
 * @example
 * ```ts
 * await compute.runTask('longestCollatz', 100_000); // 77031: 350 steps
 * ```
 */
export { blurTiles, type BlurTile, type BlurTilesInput } from './blur-tiles.js';

export const { longestCollatz } = wasmTasks(fromBase64(longestCollatzWasm), { exports: ['longestCollatz'] });
