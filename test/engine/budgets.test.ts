import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';
import { join } from 'node:path';

/** The run's events of `type`, read from its database. */
async function eventsOf(repo: string, runId: string, types: string[]) {
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  try {
    return await store.readEvents({ runId, types: types as never });
  } finally {
    await store.close();
  }
}

const statusJson = async (repo: string) => {
  const status = await runMain(['status', '--json'], repo);
  expect(status.code).toBe(0);
  return JSON.parse(status.stdout) as {
    run: { id: string; status: string; reason: string };
    attempts: { taskId: string; number: number; status: string; kind: string }[];
    budget: {
      lines: { scope: string; taskId?: string; limit: string; spent: number; max: number }[];
      pausedBy: unknown;
    };
  };
};

describe('budgets', () => {
  it('a run tokens limit reached while an agent streams: it finishes and merges, nothing new starts, the run pauses; a raise continues it', async () => {
    const repo = makeRepo({
      'plan.yaml': `agent: script
autonomy: full_auto
concurrency: 1
budgets: { tokens: 2000 }
tasks:
  - id: a
    title: Spend past the limit
    agent_config: { steps: [ { spend: { tokens: 2500 } }, { write: { path: a.txt, content: "a" } } ] }
  - id: b
    title: Waits for the raise
    agent_config: { steps: [ { write: { path: b.txt, content: "b" } } ] }
`,
    });
    const first = await runMain(['run', 'plan.yaml'], repo);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain("paused: budget: the run's tokens limit is reached");
    expect(first.stdout).toMatch(/continue with: gaffer resume \S+ --raise tokens=\d+/);
    const paused = await statusJson(repo);
    const runId = paused.run.id;
    // The attempt in flight reached its end: its work was kept and merged; b never started.
    expect(git(repo, 'show', `gaffer/${runId}:a.txt`)).toBe('a');
    expect(paused.attempts.map((a) => [a.taskId, a.status])).toEqual([['a', 'succeeded']]);
    const line = paused.budget.lines.find((l) => l.scope === 'run' && l.limit === 'tokens');
    expect(line?.max).toBe(2000);
    expect(line?.spent).toBeGreaterThanOrEqual(2500);
    expect(paused.budget.pausedBy).toMatchObject({ scope: 'run', limit: 'tokens', max: 2000 });
    const [breach, ...more] = await eventsOf(repo, runId, ['run.budget-exceeded']);
    expect(more).toEqual([]);
    expect(breach).toMatchObject({ data: { scope: 'run', limit: 'tokens', max: 2000 } });
    const shown = await runMain(['status'], repo);
    expect(shown.stdout).toContain('run tokens:');
    expect(shown.stdout).toContain(`continue with: gaffer resume ${runId} --raise tokens=`);

    // Resumed as it is, it stops again before any attempt starts.
    const again = await runMain(['resume', runId], repo);
    expect(again.code).toBe(3);
    const stillOver = await statusJson(repo);
    expect(stillOver.attempts).toHaveLength(1);
    expect(stillOver.run.reason).toContain("budget: the run's tokens limit is reached");
    expect(await eventsOf(repo, runId, ['run.budget-exceeded'])).toHaveLength(2);

    // Bad raises are refused, one clear message each, and record nothing.
    const typo = await runMain(['resume', runId, '--raise', 'tokenz=9000'], repo);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown limit "tokenz"');
    expect(typo.stderr).toContain('did you mean tokens?');
    const notSet = await runMain(['resume', runId, '--raise', 'cost_usd=5'], repo);
    expect(notSet.code).toBe(2);
    expect(notSet.stderr).toContain("the run's cost_usd is not limited");
    const below = await runMain(['resume', runId, '--raise', 'tokens=2100'], repo);
    expect(below.code).toBe(2);
    expect(below.stderr).toContain('tokens=2100 is not above what is spent');
    const junk = await runMain(['resume', runId, '--raise', 'tokens=lots'], repo);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('expected <limit>=<positive number>');
    const unknownTask = await runMain(['resume', runId, '--raise', 'zz.tokens=9000'], repo);
    expect(unknownTask.code).toBe(2);
    expect(unknownTask.stderr).toContain('has no task "zz"');
    expect(await eventsOf(repo, runId, ['run.budget-raised'])).toEqual([]);

    const raised = await runMain(['resume', runId, '--raise', 'tokens=100000'], repo);
    expect(raised.code).toBe(0);
    expect(raised.stdout).toContain("raised the run's tokens limit: 2,000 tokens → 100,000 tokens");
    expect(git(repo, 'show', `gaffer/${runId}:b.txt`)).toBe('b');
    const [raise] = await eventsOf(repo, runId, ['run.budget-raised']);
    expect(raise).toMatchObject({
      data: { raises: [{ scope: 'run', limit: 'tokens', from: 2000, to: 100000 }] },
    });
  });

  it('a session that goes on spending past the limit is interrupted, resumably, before its next step', async () => {
    const repo = makeRepo({
      'plan.yaml': `agent: script
autonomy: full_auto
budgets: { tokens: 1000 }
tasks:
  - id: a
    title: Keeps spending
    agent_config:
      attempts:
        - [ { spend: { tokens: 1200 } }, { spend: { tokens: 1200 } }, { sleep_ms: 60000 }, { write: { path: late.txt, content: "too late" } } ]
`,
    });
    const first = await runMain(['run', 'plan.yaml'], repo);
    expect(first.code).toBe(3);
    const paused = await statusJson(repo);
    expect(paused.attempts.map((a) => [a.number, a.status])).toEqual([[1, 'interrupted']]);
    expect(git(repo, 'ls-tree', '--name-only', `gaffer/${paused.run.id}`)).not.toContain('late.txt');
    // Interrupted like a pause: the task waits to resume (its attempt's session and worktree kept).
    expect(paused.run.status).toBe('paused');
    expect((await runMain(['status'], repo)).stdout).toMatch(/a\s+ready/);
  });

  it('a task attempts limit refuses the rework that would pass it; raising the task limit lets it run', async () => {
    const repo = makeRepo({
      'plan.yaml': `agent: script
autonomy: full_auto
max_rework: 5
budgets: { per_task: { attempts: 2 } }
tasks:
  - id: a
    title: Fails twice
    agent_config:
      attempts:
        - [ { fail: "not yet" } ]
        - [ { fail: "still not" } ]
        - [ { write: { path: a.txt, content: "third time" } } ]
`,
    });
    const first = await runMain(['run', 'plan.yaml'], repo);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain(
      "task a's attempts limit allows no further attempt (2 attempts of 2 attempts started)",
    );
    expect(first.stdout).toContain('--raise a.attempts=3');
    const runId = (await statusJson(repo)).run.id;
    const resumed = await runMain(['resume', runId, '--raise', 'a.attempts=3'], repo);
    expect(resumed.code).toBe(0);
    expect(git(repo, 'show', `gaffer/${runId}:a.txt`)).toBe('third time');
  });

  it('an attempt whose least cost (its prompt at the model price) passes what is left never starts', async () => {
    const repo = makeRepo({
      'plan.yaml': `agent: script
autonomy: full_auto
pricing: { dear-model: { input: 1000, output: 1000 } }
agents: { script: { model: dear-model } }
budgets: { cost_usd: 0.05 }
tasks:
  - id: a
    title: Too dear to start
    agent_config: { steps: [ { write: { path: a.txt, content: "a" } } ] }
`,
    });
    const first = await runMain(['run', 'plan.yaml'], repo);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain('the next attempt needs at least $');
    const paused = await statusJson(repo);
    expect(paused.attempts).toEqual([]);
    expect(paused.budget.pausedBy).toMatchObject({ scope: 'run', limit: 'cost_usd', spent: 0, max: 0.05 });
  });

  it('the run wall time counts while it is driven: an agent still busy past the limit is interrupted', async () => {
    const repo = makeRepo({
      'plan.yaml': `agent: script
autonomy: full_auto
concurrency: 1
budgets: { wall_time_s: 1 }
tasks:
  - id: a
    title: Slow
    agent_config: { steps: [ { sleep_ms: 60000 }, { write: { path: a.txt, content: "late" } } ] }
  - id: b
    title: Never started
    agent_config: { steps: [ { write: { path: b.txt, content: "b" } } ] }
`,
    });
    const first = await runMain(['run', 'plan.yaml'], repo);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain("the run's wall_time_s limit is reached");
    const paused = await statusJson(repo);
    expect(paused.attempts.map((a) => [a.taskId, a.status])).toEqual([['a', 'interrupted']]);
    expect(paused.budget.pausedBy).toMatchObject({ scope: 'run', limit: 'wall_time_s', max: 1 });
    const line = paused.budget.lines.find((l) => l.limit === 'wall_time_s');
    expect(line?.spent).toBeGreaterThanOrEqual(1);
  });
});
