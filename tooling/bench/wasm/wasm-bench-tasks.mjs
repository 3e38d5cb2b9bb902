// The tasks of `bench:wasm`: two WebAssembly exports and their JavaScript twins.
// The local backend registers this module and the worker file exposes it, so
// each thread loads build/bench.wasm itself, once.
import { defineTask } from '@hybridcompute/core';
import { wasmTasks } from '@hybridcompute/wasm';

export const { add, checksum } = wasmTasks(new URL('./build/bench.wasm', import.meta.url), {
  exports: { add: 'number', checksum: { input: 'Uint8Array' } },
});

export const addJs = defineTask('addJs', ([a, b]) => (a + b) | 0);

// FNV-1a, 64-bit, on two 32-bit halves (BigInt would be much slower), folded to 32 bits.
export const checksumJs = defineTask('checksumJs', (bytes) => {
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let index = 0; index < bytes.length; index++) {
    low = (low ^ bytes[index]) >>> 0;
    const product = low * 0x1b3;
    high = (Math.imul(high, 0x1b3) + Math.floor(product / 0x100000000) + (low << 8)) >>> 0;
    low = product >>> 0;
  }
  return high ^ low;
});
