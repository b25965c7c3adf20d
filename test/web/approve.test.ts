import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../server/harness.js';
import { waitFor } from '../support/wait-for.js';
import { launchBrowser, newPage, pageErrors } from './browser.js';
import { dashboardServer } from './harness.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** review_all: the one result waits for a person; the task waits for the gate first, so the page sees it move. */
const reviewedPlan = (g: { path: string; dir: string }) => `agent: script
sandbox: { readable: [${JSON.stringify(g.dir)}] }
autonomy: review_all
tasks:
  - id: api
    title: Write the API
    agent_config: { steps: [ { say: "working" }, { run: [${JSON.stringify(process.execPath)}, gate.mjs, ${JSON.stringify(g.path)}] }, { write: { path: api.txt, content: api } } ] }
`;

describe('the dashboard: a run that waits for approval', () => {
  it('shows the node turn to awaiting approval live, approves from the page, and sees the run complete', async () => {
    const g = gate();
    const { server, engine, startRun } = await dashboardServer(reviewedPlan(g), { 'gate.mjs': g.script });
    const runId = await startRun();
    const page = await newPage(browser);

    // As a user does: the printed URL, then the run from the list.
    await page.goto(server.url);
    await page.getByRole('link', { name: runId }).click();
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    const node = page.locator('.react-flow__node [data-task-id="api"]');
    await node.and(page.locator('[data-status="running"]')).waitFor();

    g.open();
    await node.and(page.locator('[data-status="awaiting_approval"]')).waitFor();
    expect(await node.textContent()).toContain('awaiting approval');
    await waitFor(
      async () => (await engine.getRun(runId)).status === 'paused',
      'the run to pause for the decision',
    );

    await page.getByRole('button', { name: 'Approve' }).click();
    await node.and(page.locator('[data-status="passed"]')).waitFor();
    expect(await node.textContent()).toContain('passed');
    await page.locator('.run-page[data-run-status="completed"]').waitFor();
    await page.locator('.progress[data-passed="1"][data-total="1"]').waitFor();
    expect(await page.locator('.progress').textContent()).toContain('1/1');
    expect((await engine.getRun(runId)).status).toBe('completed');

    // The task's panel shows what the approved attempt changed.
    await node.getByRole('button').click();
    await page.getByRole('button', { name: 'Diff' }).click();
    await page.getByText('+++ b/api.txt').waitFor();
    expect(pageErrors(page)).toEqual([]);
  });
});
