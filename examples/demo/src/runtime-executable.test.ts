import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeExecutable } from './runtime-executable.js';

const demoDirectory = fileURLToPath(new URL('..', import.meta.url));
const empty = mkdtempSync(join(tmpdir(), 'demo-runtime-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('runtimeExecutable', () => {
  it.each(['bun', 'deno'] as const)('finds the pinned %s binary (not its launcher in node_modules/.bin) above the demo', (runtime) => {
    const binary = runtimeExecutable(runtime, demoDirectory);
    expect(binary).toMatch(new RegExp(`node_modules[\\\\/]${runtime}[\\\\/]`));
    expect(binary).not.toContain('.bin');
    expect(existsSync(binary)).toBe(true);
  });

  it('falls back to the name, for PATH, where no node_modules holds it, and node is always the name', () => {
    expect(runtimeExecutable('deno', empty)).toBe('deno');
    expect(runtimeExecutable('node', demoDirectory)).toBe('node');
  });
});
