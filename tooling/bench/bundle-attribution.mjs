// Where a browser entry's bytes come from: the entry bundled from the packages' TypeScript sources
// (each `@hybridcompute/*` import resolved as the bundler would, then pointed from dist/ at src/),
// so esbuild's metafile can name the source file behind each output byte. Used by bundle-size.mjs.
//
// esbuild reports minified bytes per input; gzip works on the whole chunk, so a file's gzipped share
// is its minified share of the chunk times the chunk's gzipped size (an estimate: repeated text
// compresses better than the average, fresh code worse).
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const repository = join(import.meta.dirname, '..', '..');

/** An esbuild plugin: a workspace package's dist/<name>.js is read from its src/<name>.ts. */
const fromSources = {
  name: 'workspace-sources',
  setup(bundler) {
    bundler.onResolve({ filter: /^@hybridcompute\// }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await bundler.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
      if (resolved.errors.length > 0 || resolved.external) return resolved;
      const source = resolved.path.replace(/([\\/]packages[\\/][^\\/]+[\\/])dist([\\/].+)\.js$/, '$1src$2.ts');
      return { path: existsSync(source) ? source : resolved.path, sideEffects: resolved.sideEffects };
    });
  },
};

/** Names an input for a person: `core/placement/placed-calls.ts`, `msgpackr/pack.js`. */
export function inputName(input) {
  const path = relative(repository, input.replace(/^[^:]+:/, ''));
  const inModules = path.match(/node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](.+)$/);
  if (inModules !== null) return `${inModules[1]}/${inModules[2]}`;
  return path.replace(/^(?:packages|tooling)[\\/]([^\\/]+)[\\/]src[\\/]/, '$1/');
}

/** How every browser bundle of bench:size is built: what a bundler makes of an app's imports, chunk by chunk. */
export const browserBundleOptions = Object.freeze({
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  platform: 'browser',
  conditions: ['browser'],
  write: false,
  metafile: true,
  logLevel: 'silent',
});

/**
 * Bundles `contents` (an entry module) from sources and answers, per output chunk, its minified and
 * role, gzipped bytes and each input's minified bytes, largest first.
 */
export async function attributeEntry(contents, external, resolveDir = import.meta.dirname) {
  const result = await build({
    ...browserBundleOptions,
    stdin: { contents, resolveDir, loader: 'js', sourcefile: 'entry.js' },
    outdir: join(import.meta.dirname, 'attribution-out'),
    external,
    plugins: [fromSources],
  });
  const contentsOf = new Map(result.outputFiles.map((file) => [relative(process.cwd(), file.path), file.contents]));
  return Object.entries(result.metafile.outputs).map(([path, output]) => {
    const bytes = contentsOf.get(path) ?? new Uint8Array();
    return {
      path,
      // Chunks this one loads with itself (static imports), so a caller can tell what loads with the page.
      imports: output.imports.filter(({ kind, path: imported }) => kind === 'import-statement' && result.metafile.outputs[imported] !== undefined).map(({ path: imported }) => imported),
      // The entry itself, a chunk an `import()` fetches, or a chunk both share.
      role: output.entryPoint?.endsWith('entry.js') === true || output.entryPoint === '<stdin>' ? 'entry' : output.entryPoint !== undefined ? 'import()' : 'shared',
      minified: output.bytes,
      gzipped: gzipSync(bytes, { level: 9 }).length,
      inputs: Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([input, { bytesInOutput }]) => ({ name: inputName(input), minified: bytesInOutput }))
        .sort((a, b) => b.minified - a.minified),
    };
  });
}

/** The entry chunk and every chunk it loads by static imports: what comes with the page. */
export function withThePage(chunks) {
  const byPath = new Map(chunks.map((chunk) => [chunk.path, chunk]));
  const eager = new Set();
  const visit = (chunk) => {
    if (chunk === undefined || eager.has(chunk)) return;
    eager.add(chunk);
    for (const imported of chunk.imports) visit(byPath.get(imported));
  };
  visit(chunks.find((chunk) => chunk.role === 'entry'));
  return [...eager];
}

/** Sums the chunks' inputs by `groupOf(name)`, with each group's gzipped share estimated chunk by chunk. */
export function groupInputs(chunks, groupOf) {
  const groups = new Map();
  for (const chunk of [chunks].flat()) {
    const counted = chunk.inputs.reduce((sum, input) => sum + input.minified, 0);
    for (const input of chunk.inputs) {
      const group = groupOf(input.name);
      const sums = groups.get(group) ?? { minified: 0, gzipped: 0 };
      sums.minified += input.minified;
      sums.gzipped += (input.minified / counted) * chunk.gzipped;
      groups.set(group, sums);
    }
  }
  return [...groups].map(([group, sums]) => ({ group, ...sums })).sort((a, b) => b.minified - a.minified);
}
