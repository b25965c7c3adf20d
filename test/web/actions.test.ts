import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../server/harness.js';
import { git } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';
import { launchBrowser, newPage, pageErrors } from './browser.js';
import { dashboardServer, runPageUrl } from './harness.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** review_all; the first attempt writes "first", a rework "second", so a denial shows in the result. */
const REVIEWED = `agent: script
autonomy: review_all
tasks:
  - id: doc
    title: Write the doc
    agent_config: { attempts: [ [ { write: { path: doc.txt, content: first } } ], [ { write: { path: doc.txt, content: second } } ] ] }
`;

/** An agent that asks, then writes what it was told; nothing answers it but a person. */
const ASKING = `agent: script
autonomy: full_auto
question_timeout_s: 600
tasks:
  - id: port
    title: Pick the port
    agent_config: { steps: [ { ask: "Which port should the server listen on?" }, { write: { path: port.txt, content: chosen } } ] }
`;

/** A task that waits for the gate, so the run is running while the page pauses and cancels it. */
const gated = (g: { path: string; dir: string }) => `agent: script
sandbox: { readable: [${JSON.stringify(g.dir)}] }
autonomy: full_auto
tasks:
  - id: slow
    title: Slow
    agent_config: { steps: [ { run: [${JSON.stringify(process.execPath)}, gate.mjs, ${JSON.stringify(g.path)}] }, { write: { path: s.txt, content: s } } ] }
`;

describe('the dashboard: every action from the page', () => {
  it('denies with a reason (the rework is told it), then approves the rework', async () => {
    const { server, engine, repo, startRun } = await dashboardServer(REVIEWED);
    const runId = await startRun();
    const page = await newPage(browser);
    await page.goto(runPageUrl(server, runId));
    const node = page.locator('.react-flow__node [data-task-id="doc"]');
    await node.and(page.locator('[data-status="awaiting_approval"]')).waitFor();

    await page.getByRole('button', { name: 'Deny…' }).click();
    await page.getByLabel('Why (the agent is told, and reworks it)').fill('say second, not first');
    await page.getByRole('button', { name: 'Deny with this reason' }).click();
    // The rework's result waits in turn: approving it completes the run.
    const second = await waitFor(
      async () => (await engine.approvals(runId)).find((a) => a.open && a.attempt === 2),
      'the rework to wait for approval',
    );
    const [attempt2] = (await engine.attempts(runId, 'doc')).filter((a) => a.number === 2);
    expect(attempt2?.feedback).toContain('say second, not first');
    // The page learns of the rework's approval from the event stream: approve that card, not the
    // first attempt's if it is still on screen.
    const card = page.locator(`[data-approval-id="${second.approvalId}"]`);
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.run-page[data-run-status="completed"]').waitFor();
    expect(git(repo, 'show', `gaffer/${runId}:doc.txt`).trim()).toBe('second');
    expect(pageErrors(page)).toEqual([]);
  });

  it("answers an agent's question, and the agent goes on", async () => {
    const { server, engine, startRun } = await dashboardServer(ASKING);
    const runId = await startRun();
    const page = await newPage(browser);
    await page.goto(runPageUrl(server, runId));
    await page.getByText('Which port should the server listen on?').first().waitFor();
    await page.getByLabel('Your answer').fill('8080');
    await page.getByRole('button', { name: 'Send answer' }).click();
    await page.locator('.run-page[data-run-status="completed"]').waitFor();
    expect((await engine.openQuestions(runId)).length).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('pauses and resumes a running run, then cancels another for good', async () => {
    const g = gate();
    const { server, engine, startRun } = await dashboardServer(gated(g), { 'gate.mjs': g.script });
    const runId = await startRun();
    const page = await newPage(browser);
    await page.goto(runPageUrl(server, runId));
    await page.locator('.react-flow__node [data-task-id="slow"][data-status="running"]').waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('.run-page[data-run-status="paused"]').waitFor();
    expect((await engine.getRun(runId)).status).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('.react-flow__node [data-task-id="slow"][data-status="running"]').waitFor();
    g.open();
    await page.locator('.run-page[data-run-status="completed"]').waitFor();

    // The gate is closed again, so the second run is still running when the page cancels it.
    rmSync(g.path);
    const second = await startRun();
    await page.goto(runPageUrl(server, second));
    await page.locator('.react-flow__node [data-task-id="slow"]').waitFor();
    await page.getByRole('button', { name: 'Cancel…' }).click();
    await page.getByRole('button', { name: 'Cancel the run for good' }).click();
    await page.locator('.run-page[data-run-status="cancelled"]').waitFor();
    expect((await engine.getRun(second)).status).toBe('cancelled');
    expect(pageErrors(page)).toEqual([]);
  });
});
