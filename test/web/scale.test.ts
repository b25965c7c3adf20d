import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** 50 tasks in layers of five, each depending on one task of the layer before. */
function widePlan(): string {
  const tasks = Array.from({ length: 50 }, (_, i) => {
    const deps = i >= 5 ? `[t${i - 5}]` : '[]';
    return `  - { id: t${i}, title: "Task ${i}", depends_on: ${deps}, agent_config: { steps: [ { write: { path: t${i}.txt, content: x } } ] } }`;
  });
  return `agent: script\nautonomy: full_auto\ntasks:\n${tasks.join('\n')}\n`;
}

const LINES = 3000;
const chattyPlan = `agent: script
autonomy: full_auto
tasks:
  - id: chatty
    title: Prints a lot
    agent_config: { steps: [ { run: [${JSON.stringify(process.execPath)}, -e, "for (let i = 0; i < ${LINES}; i++) console.log('line ' + i)"] }, { write: { path: c.txt, content: c } } ] }
`;

/** Scrolls a list to one end (run in the page; the root tsconfig has no DOM types). */
function scrollTo(el: unknown, end: string): void {
  const list = el as { scrollTop: number; scrollHeight: number };
  list.scrollTop = end === 'end' ? list.scrollHeight : 0;
}

describe('the dashboard at scale', () => {
  it('renders every node of a 50-task plan', async () => {
    const { server, engine, repo } = await dashboardServer(widePlan());
    // Created, not driven: the graph is the plan's, and 50 worktrees would only slow the test.
    const run = await engine.createRun({ planPath: `${repo}/plan.yaml`, cwd: repo });
    const page = await newPage(browser);
    await page.goto(runPageUrl(server, run.id));
    await page.locator('.task-graph[data-node-count="50"]').waitFor();
    await waitFor(async () => (await page.locator('.react-flow__node').count()) === 50, '50 graph nodes');
    expect(await page.locator('[data-task-id][data-status="pending"]').count()).toBe(50);
    expect(await page.locator('.react-flow__edge').count()).toBe(45);
    expect(pageErrors(page)).toEqual([]);
  });

  it('renders only a window of a transcript thousands of lines long', async () => {
    const { server, engine, startRun } = await dashboardServer(chattyPlan);
    const runId = await startRun();
    await waitFor(async () => (await engine.getRun(runId)).status === 'completed', 'the run to complete');
    const page = await newPage(browser);
    await page.goto(runPageUrl(server, runId));
    // Keyboard only: the node's button takes the focus, Enter opens the task's panel.
    await page.getByRole('button', { name: /^Task Prints a lot/ }).focus();
    await page.keyboard.press('Enter');
    const transcript = page.locator('.transcript');
    // Read a page (2000 lines) at a time: every page arrives, and the count says so.
    await transcript.waitFor();
    await waitFor(
      async () => Number(await transcript.getAttribute('data-row-count')) >= LINES,
      'every page of the transcript to be read',
    );
    const rendered = await page.locator('[data-transcript-row]').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    expect(await page.getByText(`line ${LINES - 1}`, { exact: true }).count()).toBe(0);

    // Scrolled to the end, the last lines come into the DOM and the first leave it.
    await transcript.evaluate(scrollTo, 'end');
    await page.getByText(`line ${LINES - 1}`, { exact: true }).waitFor();
    expect(await page.getByText('line 0', { exact: true }).count()).toBe(0);
    expect(await page.locator('[data-transcript-row]').count()).toBeLessThan(100);

    // The tool call the script agent reported is one line, opened with its button.
    await transcript.evaluate(scrollTo, 'start');
    const tool = page.locator('.tool-toggle').first();
    await tool.waitFor();
    expect(await tool.getAttribute('aria-expanded')).toBe('false');
    await tool.click();
    await page.locator('.tool-details').first().waitFor();
    expect(pageErrors(page)).toEqual([]);
  });
});
