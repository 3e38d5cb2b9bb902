import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The API reference is generated from JSDoc, and a release check fails any
// exported symbol without an example: check that here, on the source.
const entries = {
  '.': './index.ts',
  './worker': './worker.ts',
  // The Node builds of the same entry points (their own createWorkerBackend and exposeTasks).
  '. (node)': './node/index.ts',
  './worker (node)': './node/worker.ts',
};

function exportsWithoutExample(entry: string): { exported: string[]; missing: string[] } {
  const file = fileURLToPath(new URL(entry, import.meta.url));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const exported: string[] = [];
  const missing: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    exported.push(symbol.name);
    if (!target.getJsDocTags(checker).some((tag) => tag.name === 'example')) missing.push(symbol.name);
  }
  return { exported, missing };
}

describe('the public API', () => {
  for (const [subpath, entry] of Object.entries(entries)) {
    it(`has an @example on every symbol exported from '${subpath}'`, () => {
      const { exported, missing } = exportsWithoutExample(entry);
      expect(exported.length).toBeGreaterThan(0);
      expect(missing).toEqual([]);
    });
  }
});
