import { invalidArgumentError } from '@hybridcompute/core';
import type { ModuleExports } from './read-export-signatures.js';
import type { ResolvedExportSpec } from './wasm-export-spec.js';

/**
 * Checks that the module has what the specs need: each named export, a
 * function; `memory` and `alloc` for exports that take a string or a typed
 * array; `memory` for exports that return one; and, where the signatures are
 * known, parameters and results that fit each spec.
 *
 * @throws TypeError (code `INVALID_REQUEST`) naming the first thing missing.
 */
export function checkExports(specs: readonly ResolvedExportSpec[], module: ModuleExports, source: string): void {
  const { kinds, signatures } = module;
  const problem = (message: string): TypeError => invalidArgumentError(`wasmTasks(${source}): ${message}`);
  for (const spec of specs) {
    const kind = kinds.get(spec.exportName);
    if (kind === undefined) {
      const functions = [...kinds].filter(([, exportKind]) => exportKind === 'function').map(([name]) => name);
      throw problem(`the module has no export '${spec.exportName}' (its functions: ${functions.join(', ') || 'none'})`);
    }
    if (kind !== 'function') throw problem(`export '${spec.exportName}' is a ${kind}, not a function`);
    const takesMemory = spec.input !== 'number';
    const givesMemory = spec.output !== 'number' && spec.output !== 'bigint' && spec.output !== 'input';
    const needed = [
      ...(takesMemory || givesMemory ? [['memory', 'memory']] : []),
      ...(takesMemory ? [['alloc', 'function']] : []),
    ].filter(([name, neededKind]) => kinds.get(name!) !== neededKind);
    if (needed.length > 0) {
      const what = takesMemory ? `takes a ${spec.input}` : `returns a ${spec.output}`;
      throw problem(
        `export '${spec.exportName}' ${what}, which needs the module to export ${needed.map(([name]) => (name === 'alloc' ? "'alloc(size) -> pointer'" : "'memory'")).join(' and ')}`,
      );
    }
    const signature = signatures?.get(spec.exportName);
    if (signature === undefined) continue;
    const shown = `(${signature.params.join(', ')}) -> (${signature.results.join(', ')})`;
    if (takesMemory && !(signature.params.length === 2 && signature.params.every((type) => type === 'i32'))) {
      throw problem(`export '${spec.exportName}' takes a ${spec.input}, so it must take (pointer: i32, length: i32); it is ${shown}`);
    }
    const results = signature.results.join(',');
    if (spec.output === 'number' && results === 'i64') {
      throw problem(`export '${spec.exportName}' returns an i64: declare it 'bigint' (or { output: 'bigint' }) to get a bigint`);
    }
    if (spec.output === 'bigint' && results !== 'i64') {
      throw problem(`export '${spec.exportName}' is declared 'bigint' but does not return an i64; it is ${shown}`);
    }
    if (givesMemory && results !== 'i32,i32' && results !== 'i64') {
      throw problem(`export '${spec.exportName}' returns a ${spec.output}, so it must return (pointer: i32, length: i32) or one i64 (pointer << 32 | length); it is ${shown}`);
    }
  }
  const dealloc = kinds.get('dealloc');
  if (dealloc !== undefined && dealloc !== 'function') throw problem(`export 'dealloc' is a ${dealloc}, not a function`);
}
