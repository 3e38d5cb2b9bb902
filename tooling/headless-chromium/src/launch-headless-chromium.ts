import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; no browser is downloaded here. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * The flags the tests start Chromium with. Besides headless mode, they keep it
 * from calling home: on a machine without internet, its background
 * connections are refused many at a time and slow every start.
 */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running headless Chromium and the way to be rid of it. */
export interface HeadlessChromium {
  /** The browser, with a profile of its own. */
  context: BrowserContext;
  /** Closes the browser and deletes its profile. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless, in a fresh profile under the system's
 * temporary folder, driven by playwright-core.
 *
 * @param profilePrefix - names the profile folder, so a stray one says which test left it
 *
 * @example
 * ```ts
 * const chromium = await launchHeadlessChromium('backend-worker');
 * const page = await chromium.context.newPage();
 * await page.goto(url);
 * await chromium.close();
 * ```
 */
export async function launchHeadlessChromium(profilePrefix: string): Promise<HeadlessChromium> {
  const profileDir = await mkdtemp(join(tmpdir(), `${profilePrefix}-chromium-`));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs],
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    close: () =>
      (closed ??= context.close().finally(() => rm(profileDir, { recursive: true, force: true }))),
  };
}
