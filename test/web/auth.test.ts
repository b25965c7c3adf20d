import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, pageErrors } from './browser.js';
import { dashboardServer } from './harness.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const PLAN = 'agent: script\ntasks: []\n';

describe('the dashboard without the token', () => {
  it('loads its page and assets without a token, then shows the 401 state telling the user what to open', async () => {
    const { server } = await dashboardServer(PLAN);
    const page = await newPage(browser);
    const response = await page.goto(`${server.origin}/`);
    expect(response?.status()).toBe(200);
    const state = page.locator('[data-state="unauthorized"]');
    await state.waitFor();
    expect(await state.textContent()).toContain('401');
    expect(await state.textContent()).toContain('gaffer serve');

    // The page's own request without the header is refused.
    const status = await page.evaluate(async () => (await fetch('/api/runs')).status);
    expect(status).toBe(401);
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows the 401 state when the server refuses the token the URL carried', async () => {
    const { server } = await dashboardServer(PLAN);
    const page = await newPage(browser);
    await page.goto(`${server.origin}/?token=not-the-token`);
    const state = page.locator('[data-state="unauthorized"]');
    await state.waitFor();
    expect(await state.textContent()).toContain('refused the token');
    expect(new URL(page.url()).search).toBe('');
  });

  it('signs in with the printed URL, keeps the token for a reload, and takes it out of the address bar', async () => {
    const { server } = await dashboardServer(PLAN);
    const page = await newPage(browser);
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(page.url()).toBe(`${server.origin}/`);
    await page.reload();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(await page.locator('[data-state="unauthorized"]').count()).toBe(0);
  });
});
