export { chromiumArgs, chromiumPath, launchHeadlessChromium, type HeadlessChromium } from './launch-headless-chromium.js';
export type { BrowserContext, Page } from 'playwright-core';
