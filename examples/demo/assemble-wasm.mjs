// Assembles src/longest-collatz.wat (wabt) into src/longest-collatz-wasm.ts, the
// module's bytes as base64, so that every backend (the server's CLI, the pool,
// a browser bundle) gets the module with the tasks module and no file to serve.
import { readFileSync, writeFileSync } from 'node:fs';
import initWabt from 'wabt';

/** The TypeScript source that holds the assembled module. */
export async function longestCollatzSource() {
  const wabt = await initWabt();
  const parsed = wabt.parseWat('longest-collatz.wat', readFileSync(new URL('./src/longest-collatz.wat', import.meta.url), 'utf8'));
  try {
    const base64 = Buffer.from(parsed.toBinary({}).buffer).toString('base64');
    return `// Generated from longest-collatz.wat by \`pnpm --filter @hybridcompute/example-demo run build:wasm\`: do not edit.\n/** The bytes of longest-collatz.wat, assembled, as base64. */\nexport const longestCollatzWasm = '${base64}';\n`;
  } finally {
    parsed.destroy();
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  writeFileSync(new URL('./src/longest-collatz-wasm.ts', import.meta.url), await longestCollatzSource());
}
