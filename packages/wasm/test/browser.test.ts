import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchHeadlessChromium, type BrowserContext, type HeadlessChromium } from '@hybridcompute/headless-chromium';
import { serveFolder, type ServedFolder } from '@hybridcompute/test-support/static-site';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmBuildDir } from './assemble-wat.js';

const here = fileURLToPath(new URL('.', import.meta.url));
let siteDir: string;
let chromium: HeadlessChromium | undefined;
let site: ServedFolder | undefined;
let origin: string;
let browser: BrowserContext | undefined;
const wasmRequests: string[] = [];

beforeAll(async () => {
  siteDir = await mkdtemp(join(tmpdir(), 'wasm-site-'));
  await build({
    entryPoints: { page: join(here, 'browser/page.ts'), 'wasm-browser-worker': join(here, 'browser/wasm-browser-worker.ts') },
    outdir: siteDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  // The tasks module names new URL('./wasm-build/math.wasm', import.meta.url): next to the bundles.
  await mkdir(join(siteDir, 'wasm-build'));
  await copyFile(join(wasmBuildDir, 'math.wasm'), join(siteDir, 'wasm-build/math.wasm'));
  await writeFile(join(siteDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>wasm</title><script type="module" src="./page.js"></script>');
  site = await serveFolder(siteDir, (path) => {
    if (path.endsWith('.wasm')) wasmRequests.push(path);
  });
  origin = site.origin;
  browser = (chromium = await launchHeadlessChromium('wasm')).context;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await site?.close();
  await rm(siteDir, { recursive: true, force: true });
});

describe('WebAssembly tasks in headless Chromium', () => {
  it('run on a Web Worker of the browser build and in the page, fetching the module once per thread', async () => {
    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof (globalThis as { scenario?: unknown }).scenario === 'function');
    const result = await page.evaluate(() => (globalThis as unknown as { scenario(): Promise<Record<string, unknown>> }).scenario());
    const values = {
      added: 5,
      fib: 6765,
      mul64: String(3n * 2n ** 40n),
      upper: 'HéLLO',
      checksumMatchesJs: true,
      scaled: ['Float32Array', 2, -5],
      reversed: [3, 2, 1],
      wrongType: { code: 'INVALID_REQUEST', causeName: undefined, causeCode: undefined, causeMessage: undefined },
      live: 0,
    };
    expect(result).toEqual({
      counts: [1, 2],
      onWorker: values,
      trap: { code: 'TASK_FAILED', causeName: 'RuntimeError', causeCode: undefined, causeMessage: 'unreachable' },
      outOfBounds: { code: 'TASK_FAILED', causeName: 'RuntimeError', causeCode: undefined, causeMessage: 'memory access out of bounds' },
      countAfterTrap: 1,
      sameWorker: true,
      onPage: values,
    });
    expect(pageErrors).toEqual([]);
    // Once for the worker, once for the page: never with a call, and a trap does not fetch it again.
    expect(wasmRequests).toEqual(['/wasm-build/math.wasm', '/wasm-build/math.wasm']);
    // The bundles hold the browser build: no `node:` module is imported.
    for (const bundle of ['page.js', 'wasm-browser-worker.js']) expect(await readFile(join(siteDir, bundle), 'utf8')).not.toMatch(/["']node:[a-z_/]+["']/);
  }, 60_000);
});
