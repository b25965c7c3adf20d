import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const DIST_INDEX = resolve(import.meta.dirname, '../../dist/web/index.html');

/**
 * Headless Debian Chromium. A missing browser or a missing build fails the test with what to do:
 * a skipped browser test would pass a dashboard nobody has run.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  if (!existsSync(DIST_INDEX))
    throw new Error(`${DIST_INDEX} is missing: run \`npm run build\` first (it builds the dashboard too)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    // An empty HOME: the user's Chromium profile, fonts config and caches play no part.
    env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'gaffer-chromium-home-')) },
  });
}

const errorsOf = new WeakMap<Page, Error[]>();

/** A fresh page at the laptop size the dashboard is made for, in its own context. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  // An error thrown in the page is a bug of the dashboard: the test that caused it checks for none.
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  errorsOf.set(page, errors);
  return page;
}

/** Errors thrown in the page so far. */
export const pageErrors = (page: Page): Error[] => errorsOf.get(page) ?? [];
