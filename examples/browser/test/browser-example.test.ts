import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '@hybridcompute/example-demo';
import { launchHeadlessChromium, type BrowserContext, type Page, type HeadlessChromium } from '@hybridcompute/headless-chromium';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const outputDir = join(root, 'test-output');
let siteDir: string;
let chromium: HeadlessChromium | undefined;
let site: PreviewServer | undefined;
let origin: string;
let demoServer: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  siteDir = await mkdtemp(join(tmpdir(), 'example-browser-site-'));
  await mkdir(outputDir, { recursive: true });
  // The page as `vite build` makes it, from the package's own vite.config.ts.
  await build({ root, logLevel: 'silent', build: { outDir: siteDir, emptyOutDir: true } });

  // `vite preview` serves the build, as a user would look at it.
  site = await preview({ root, logLevel: 'silent', build: { outDir: siteDir }, preview: { host: '127.0.0.1', port: 0 } });
  const address = site.httpServer.address() as AddressInfo;
  origin = `http://127.0.0.1:${address.port}`;
  // The page is on another origin than the server: the server lets exactly this one in.
  demoServer = await startDemoServer({ port: 0, corsOrigins: [origin] });

  browser = (chromium = await launchHeadlessChromium('example-browser')).context;
});

afterAll(async () => {
  await chromium?.close();
  await demoServer?.server.close();
  await site?.close();
  // A beforeAll that failed early leaves these unset: clean up what exists, and report the first failure only.
  if (siteDir !== undefined) await rm(siteDir, { recursive: true, force: true });
});

async function runBatchOnPage(server: string, batch: number): Promise<{ page: Page; errors: string[]; rows: string[][]; status: string; state: string | null }> {
  const page = await browser!.newPage();
  // Playwright's own 30 s defaults are too tight for a loaded two-core machine; each wait stays
  // under the test's timeout (vitest.config.ts), so a stuck page fails on the step that stuck.
  page.setDefaultTimeout(60_000);
  await page.setViewportSize({ width: 900, height: 640 });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/?server=${encodeURIComponent(server)}`);
  await page.fill('#batch', String(batch));
  await page.click('#run');
  await page.waitForSelector('#status[data-state="done"], #status[data-state="failed"]', { timeout: 90_000 });
  const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
  const status = (await page.textContent('#status')) ?? '';
  const state = await page.getAttribute('#status', 'data-state');
  return { page, errors, rows, status, state };
}

describe('the browser example in headless Chromium', () => {
  it('runs the batch on a Web Worker pool and on the demo server, and shows per-backend results', async () => {
    const { page, errors, rows, status, state } = await runBatchOnPage(demoServer!.url, 30);
    await page.screenshot({ path: join(outputDir, 'browser-example.png'), fullPage: true });
    expect(status).toBe('Done: 90 of 90 calls answered, 0 wrong.');
    expect(state).toBe('done');
    // strategy, backend, tasks, wrong, lost: 'auto' places each call on the pool or the server, where it
    // should finish soonest; between them they answer all 30, none wrong or lost.
    expect(rows.slice(0, 2).map((cells) => cells.slice(0, 5))).toEqual([
      ['worker', 'worker', '30', '0', '0'],
      ['remote', 'remote', '30', '0', '0'],
    ]);
    const auto = rows.slice(2).map((cells) => cells.slice(0, 5));
    expect(auto.every(([strategy, backend, , wrong, lost]) => strategy === 'auto' && ['worker', 'remote'].includes(backend!) && wrong === '0' && lost === '0')).toBe(true);
    expect(auto.reduce((sum, [, , tasks]) => sum + Number(tasks), 0)).toBe(30);
    for (const cells of rows) {
      const [p50, p95, perSecond] = cells.slice(5).map(Number);
      expect(p95).toBeGreaterThanOrEqual(p50!);
      expect(perSecond).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
    await page.close();
    expect((await readdir(outputDir)).includes('browser-example.png')).toBe(true);
  });

  it('bundles the browser builds: no node: module and no undici in the page or its worker', async () => {
    const assets = (await readdir(join(siteDir, 'assets'))).filter((name) => name.endsWith('.js'));
    expect(assets.some((name) => name.startsWith('demo.worker'))).toBe(true);
    for (const name of assets) {
      const code = await readFile(join(siteDir, 'assets', name), 'utf8');
      expect(code, name).not.toMatch(/["']node:[a-z_/]+["']/);
      expect(code, name).not.toContain('undici');
    }
  });

  it('draws a progress bar fed by onProgress from a Web Worker: it moves through the task’s progress and ends at 100%', async () => {
    const page = await browser!.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page.fill('#primes-limit', '1000000');
    // Every value the bar takes, as the page sets it (the value attribute reflects the property).
    await page.evaluate(() => {
      const bar = document.querySelector('#primes-progress')!;
      const seen: number[] = [];
      (globalThis as { barValues?: number[] }).barValues = seen;
      new MutationObserver(() => seen.push(Number(bar.getAttribute('value')))).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    await page.click('#primes-run');
    await page.waitForSelector('#primes-status[data-state="done"], #primes-status[data-state="failed"]', { timeout: 90_000 });
    expect(await page.textContent('#primes-status')).toBe('78498 primes below 1000000.');
    const values = await page.evaluate(() => (globalThis as { barValues?: number[] }).barValues ?? []);
    // Reset to 0, then countPrimes' 50 reports (one per 20,000 candidates), rounded to percents.
    const moves = values.filter((value, index) => index === 0 || value !== values[index - 1]);
    expect(moves[0]).toBe(0);
    expect(moves.length).toBeGreaterThan(20);
    expect(moves.slice(1).every((value, index) => value > moves[index]!)).toBe(true);
    expect(moves.at(-1)).toBe(100);
    expect(await page.$eval('#primes-progress', (bar) => (bar as HTMLProgressElement).value)).toBe(100);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says how to start the server when it cannot be reached, and still runs on the workers', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const { page, errors, rows, status, state } = await runBatchOnPage(`http://127.0.0.1:${port}/compute`, 9);
    expect(state).toBe('failed');
    expect(status).toContain(`The server at http://127.0.0.1:${port}/compute could not be reached`);
    expect(status).toContain('pnpm demo --serve');
    expect(rows.map((cells) => cells.slice(0, 5))).toEqual([
      ['worker', 'worker', '9', '0', '0'],
      ['auto', 'worker', '9', '0', '0'],
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
