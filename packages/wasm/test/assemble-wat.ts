// Assembles the test modules from their WAT source with wabt, so that no binary is committed.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** Where the assembled modules go (git-ignored): next to the tasks module that names them. */
export const wasmBuildDir = join(fixtures, 'wasm-build');

/** Assembles every test/fixtures/wat/*.wat into wasm-build/<name>.wasm; returns the names. */
export async function assembleWat(): Promise<string[]> {
  const wabt = await initWabt();
  mkdirSync(wasmBuildDir, { recursive: true });
  const names: string[] = [];
  for (const file of readdirSync(join(fixtures, 'wat')).filter((name) => name.endsWith('.wat'))) {
    const name = basename(file, '.wat');
    const parsed = wabt.parseWat(file, readFileSync(join(fixtures, 'wat', file), 'utf8'), { multi_value: true });
    try {
      parsed.validate();
      writeFileSync(join(wasmBuildDir, `${name}.wasm`), parsed.toBinary({}).buffer);
    } finally {
      parsed.destroy();
    }
    names.push(name);
  }
  return names;
}
