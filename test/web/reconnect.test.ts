import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate, gatedPlan } from '../server/harness.js';
import { waitFor } from '../support/wait-for.js';
import { launchBrowser, newPage, pageErrors } from './browser.js';
import { dashboardServer, runPageUrl, storedEventIds } from './harness.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the dashboard: the event stream across a dropped connection', () => {
  it('goes offline mid-run, reads on from its cursor once back, and applies every event exactly once', async () => {
    const g = gate();
    const { server, engine, startRun } = await dashboardServer(gatedPlan(g), { 'gate.mjs': g.script });
    const runId = await startRun();
    const page = await newPage(browser);
    await page.goto(runPageUrl(server, runId));
    const root = page.locator('.run-page');
    await page.locator('[data-task-id="slow"][data-status="running"]').waitFor();
    const seenBefore = (await root.getAttribute('data-event-ids'))?.split(',').length ?? 0;
    expect(seenBefore).toBeGreaterThan(0);

    await page.context().setOffline(true);
    await page.locator('.run-page[data-stream="offline"]').waitFor();
    g.open(); // the run finishes while the page cannot hear it
    await waitFor(async () => (await engine.getRun(runId)).status === 'completed', 'the run to complete');
    expect(await page.locator('[data-task-id="slow"]').getAttribute('data-status')).toBe('running');

    await page.context().setOffline(false);
    await page.locator('[data-task-id="slow"][data-status="passed"]').waitFor();
    await page.locator('.run-page[data-run-status="completed"][data-stream="ended"]').waitFor();

    const stored = await storedEventIds(engine, runId);
    const applied = ((await root.getAttribute('data-event-ids')) ?? '').split(',').map(Number);
    expect(applied).toEqual(stored);
    // Received counts every message, repeats included: a reconnect that re-read the log shows here.
    expect(Number(await root.getAttribute('data-events-received'))).toBe(stored.length);
    expect(pageErrors(page)).toEqual([]);
  });
});
