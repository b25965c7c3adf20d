// Writes docs/dashboard.png for the README: the demo's plan, with spending and a budget so the
// figures and the chart have something to show, run by a real server and photographed by
// headless Chromium at 1366×768 while its last task still works. `npm run screenshot`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createDemoRepo, demoPlan } from '../src/demo/index.js';
import type { Plan, PlanTask } from '../src/domain/index.js';
import { createEngine } from '../src/engine/index.js';
import { planToYaml } from '../src/plan/index.js';
import { startServer } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';

const OUT = resolve(import.meta.dirname, '../docs/dashboard.png');
const LAST = 'index';

/** What each task reports spending, so the usage chart differs from task to task. */
const SPEND: Record<string, { tokens: number; cost_usd: number }> = {
  words: { tokens: 18_400, cost_usd: 0.21 },
  slugify: { tokens: 26_900, cost_usd: 0.32 },
  'title-case': { tokens: 41_300, cost_usd: 0.47 },
  'word-count': { tokens: 12_800, cost_usd: 0.14 },
  headline: { tokens: 22_100, cost_usd: 0.26 },
  [LAST]: { tokens: 9_600, cost_usd: 0.11 },
};

/** The demo plan with spending, a budget, and its last task kept busy for the photograph. */
function screenshotPlan(): Plan {
  const plan = demoPlan();
  const withSpend = (task: PlanTask): PlanTask => {
    const config = task.agent_config ?? {};
    const spend = { spend: SPEND[task.id] ?? { tokens: 1000, cost_usd: 0.01 } };
    const busy =
      task.id === LAST
        ? [
            { say: 'Reading the helpers the earlier tasks left: words, slugify, titleCase, countWords.' },
            { run: [process.execPath, '-e', "console.log('src/index.js: re-exporting 4 helpers')"] },
            { say: 'Writing src/index.js and its test; the suite runs next.' },
            { sleep_ms: 10 * 60_000 },
          ]
        : [];
    if (Array.isArray(config.steps))
      return {
        ...task,
        agent_config: { ...config, steps: [spend, ...busy, ...(config.steps as unknown[])] },
      };
    if (Array.isArray(config.attempts))
      return {
        ...task,
        agent_config: {
          ...config,
          attempts: (config.attempts as unknown[][]).map((steps) => [spend, ...steps]),
        },
      };
    return task;
  };
  return {
    ...plan,
    settings: { ...plan.settings, budgets: { cost_usd: 5, tokens: 400_000 } },
    tasks: plan.tasks.map(withSpend),
  };
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'gaffer-screenshot-home-'));
  const repo = join(mkdtempSync(join(tmpdir(), 'gaffer-screenshot-')), 'textkit');
  await createDemoRepo(repo);
  writeFileSync(join(repo, 'plan.yaml'), planToYaml(screenshotPlan()), 'utf8');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('add', '-A');
  git('-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', 'plan');

  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, env: { ...process.env, HOME: home } });
  const server = await startServer(engine, { port: 0, repoRoot: repo });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
    env: { ...process.env, HOME: home },
  });
  try {
    const started = await fetch(`${server.origin}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'plan.yaml' }),
    });
    const runId = ((await started.json()) as { run: { id: string } }).run.id;
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, colorScheme: 'light' });
    await page.goto(`${server.origin}/runs/${runId}?token=${server.token}`);
    // Every task but the last has passed, and the last one works: the moment worth showing.
    await page.locator('.progress[data-passed="5"][data-total="6"]').waitFor({ timeout: 120_000 });
    await page.locator(`[data-task-id="${LAST}"][data-status="running"]`).waitFor({ timeout: 120_000 });
    await page.locator(`[data-task-id="${LAST}"] button`).click();
    await page.locator('.transcript [data-transcript-row]').first().waitFor();
    await page.screenshot({ path: OUT });
    console.log(`wrote ${OUT}`);
    await fetch(`${server.origin}/api/runs/${runId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
  } finally {
    await browser.close();
    await server.close();
    await store.close();
  }
}

await main();
