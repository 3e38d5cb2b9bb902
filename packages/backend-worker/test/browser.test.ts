import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchHeadlessChromium, type BrowserContext, type HeadlessChromium } from '@hybridcompute/headless-chromium';
import { serveFolder, type ServedFolder } from '@hybridcompute/test-support/static-site';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
let siteDir: string;
let chromium: HeadlessChromium | undefined;
let site: ServedFolder | undefined;
let origin: string;
let browser: BrowserContext | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  siteDir = await mkdtemp(join(tmpdir(), 'backend-worker-site-'));
  // Two apps: one bundled by esbuild with browser conditions, one built by Vite
  // from a .ts worker file imported with `?worker&url`.
  await build({
    entryPoints: { page: join(here, 'browser/page.ts'), 'browser-worker': join(here, 'browser/browser-worker.ts') },
    outdir: join(siteDir, 'esbuild'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  await writeFile(
    join(siteDir, 'esbuild/index.html'),
    '<!doctype html><meta charset="utf-8"><title>backend-worker</title><script type="module" src="./page.js"></script>',
  );
  await viteBuild({
    root: join(here, 'vite-app'),
    configFile: false,
    base: './',
    logLevel: 'silent',
    worker: { format: 'es' },
    build: { outDir: join(siteDir, 'vite'), emptyOutDir: true },
  });
  site = await serveFolder(siteDir);
  origin = site.origin;
  browser = (chromium = await launchHeadlessChromium('backend-worker')).context;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await site?.close();
  await rm(siteDir, { recursive: true, force: true });
});

describe('backend-worker in headless Chromium', () => {
  it('runs module workers from the browser build: a round trip, a transfer, a task error and a timeout that replaces a busy worker', async () => {
    const page = await browser!.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/esbuild/`);
    await page.waitForFunction(() => typeof (globalThis as { scenario?: unknown }).scenario === 'function');
    const result = await page.evaluate(() => (globalThis as unknown as { scenario(): Promise<Record<string, unknown>> }).scenario());
    expect(result).toEqual({
      canRunDouble: false,
      workerHasDocument: false,
      doubled: 42,
      batched: [2, 3, 6, 5],
      sentBufferDetached: true,
      inverted: [255, 254, 253, 5],
      failure: { code: 'TASK_FAILED', message: "Task 'fail' failed: refused in the browser", causeName: 'RangeError', causeCode: 'E_BROWSER' },
      timeoutCode: 'TASK_TIMEOUT',
      replaced: true,
      doubledAfter: 8,
    });
    expect(pageErrors).toEqual([]);
    // The bundle holds the browser build: no `node:` module is imported.
    expect(await readFile(join(siteDir, 'esbuild/page.js'), 'utf8')).not.toMatch(/["']node:[a-z_]+["']/);
  }, 60_000);

  it('carries progress and streams from module workers: values in order, transferred tiles, an error mid-stream, a paused and closed generator, a timeout', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/esbuild/`);
    await page.waitForFunction(() => typeof (globalThis as { streamScenario?: unknown }).streamScenario === 'function');
    const result = await page.evaluate(() => (globalThis as unknown as { streamScenario(): Promise<Record<string, unknown>> }).streamScenario());
    expect(result).toEqual({
      stepped: 'stepped',
      progress: [1, 2, 3, 4, 5],
      tiles: [
        [0, 64, 0],
        [1, 64, 1],
        [2, 64, 2],
      ],
      beforeFailure: [1, 2],
      failure: { code: 'TASK_FAILED', causeCode: 'E_MID' },
      // One read and highWaterMark (2) on their way; the generator waits at its yield: paused, not closed.
      pausedAt: { produced: 3, closed: false, aborted: false },
      stopped: expect.objectContaining({ closed: true, aborted: true }),
      timeoutCode: 'TASK_TIMEOUT',
    });
    expect(errors).toEqual([]);
  }, 60_000);

  it('runs a TypeScript worker file in a Vite build (?worker&url)', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/vite/`);
    await page.waitForFunction(() => typeof (globalThis as { viteScenario?: unknown }).viteScenario === 'function');
    const result = await page.evaluate(() => (globalThis as unknown as { viteScenario(): Promise<unknown> }).viteScenario());
    expect(result).toEqual({ tasks: ['area'], area: 42 });
    expect(errors).toEqual([]);
  }, 60_000);
});
