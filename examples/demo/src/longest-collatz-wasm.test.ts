import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script of this package, without types
import { longestCollatzSource } from '../assemble-wasm.mjs';

describe('longest-collatz-wasm.ts', () => {
  it('holds exactly longest-collatz.wat, assembled (run `pnpm --filter @hybridcompute/example-demo run build:wasm` if not)', async () => {
    expect(readFileSync(new URL('./longest-collatz-wasm.ts', import.meta.url), 'utf8')).toBe(await longestCollatzSource());
  });
});
