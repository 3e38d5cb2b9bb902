import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url);
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: { '.': Record<string, string> };
};

/** Every module the file imports, transitively, by its import specifiers. */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const source = readFileSync(fileURLToPath(new URL(file, dist)), 'utf8');
  const specifiers = [...source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (match) => (match[1] ?? match[2]) as string,
  );
  seen.set(file, specifiers);
  for (const specifier of specifiers) if (specifier.startsWith('./')) importGraph(specifier.slice(2), seen);
  return seen;
}

describe('the browser entry', () => {
  it('is what the browser condition selects, and nothing it loads imports undici, ws or node: modules', () => {
    expect(packageJson.exports['.']['browser']).toBe('./dist/browser.js');
    const graph = importGraph('browser.js');
    const external = [...graph.values()].flat().filter((specifier) => !specifier.startsWith('./'));
    expect(external.length).toBeGreaterThan(0);
    expect(external.filter((specifier) => !['@hybridcompute/core', '@hybridcompute/wire/json', '@hybridcompute/wire/msgpack'].includes(specifier))).toEqual([]);
  });

  it('reaches MessagePack (msgpackr) only by a dynamic import, so a bundler leaves it out of the first chunk', () => {
    const sources = [...importGraph('browser.js').keys()].map((file) => readFileSync(fileURLToPath(new URL(file, dist)), 'utf8'));
    const statically = sources.flatMap((source) => [...source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((match) => match[1]));
    const dynamically = sources.flatMap((source) => [...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]));
    expect(statically).not.toContain('@hybridcompute/wire/msgpack');
    expect(statically).not.toContain('@hybridcompute/wire');
    expect(dynamically.filter((specifier) => specifier !== undefined && !specifier.startsWith('./'))).toEqual(['@hybridcompute/wire/msgpack']);
  });

  it('reaches the WebSocket transport only by a dynamic import too, so a page that calls over HTTP never loads it', () => {
    const staticGraph = (file: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(file)) return seen;
      seen.add(file);
      const source = readFileSync(fileURLToPath(new URL(file, dist)), 'utf8');
      for (const match of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"](\.\/[^'"]+)['"]|import\s*['"](\.\/[^'"]+)['"]/g)) staticGraph((match[1] ?? match[2] ?? '').slice(2), seen);
      return seen;
    };
    const sourceOf = (file: string): string => readFileSync(fileURLToPath(new URL(file, dist)), 'utf8');
    const withThePage = staticGraph('browser.js');
    const dynamically = [...withThePage].flatMap((file) => [...sourceOf(file).matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] as string));
    const channelChunk = dynamically.find((specifier) => /^\.\/websocket-channel-[\w-]+\.js$/.test(specifier));
    expect(channelChunk).toBeDefined();
    // What the import() brings holds the channel and its connector; nothing that loads with the page does.
    const onDemand = [...staticGraph((channelChunk as string).slice(2))].filter((file) => !withThePage.has(file));
    expect(onDemand.map(sourceOf).join('\n')).toMatch(/\bWebSocketConnector = class\b/);
    expect(onDemand.map(sourceOf).join('\n')).toMatch(/\bWebSocketChannel = class\b/);
    for (const file of withThePage) expect(sourceOf(file), file).not.toMatch(/\bWebSocketConnector\b/);
  });

  it('while the Node entry does use undici and ws', () => {
    const external = [...importGraph('index.js').values()].flat();
    expect(external).toContain('undici');
    expect(external).toContain('ws');
  });
});
