import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { runMain } from '../support/cli.js';
import { git } from '../support/repo.js';
import { repoWithCode, REQUIREMENTS, specDir } from './spec-support.js';

/** A plan written by hand (no model needed): the script agent writes a file per task. */
const HAND_PLAN = `agent: script
autonomy: full_auto
tasks:
  - id: greet-name
    title: Greet by name
    covers: [AC-1.1, AC-1.1]
    agent_config: { steps: [ { write: { path: a.txt, content: a } } ] }
  - id: refuse-empty
    title: Refuse an empty name
    covers: [AC-1.2]
    agent_config: { steps: [ { write: { path: b.txt, content: b } } ] }
`;

/** A spec whose requirements.md and plan.yaml a person wrote (both `done`: no receipt to be stale against). */
async function handWrittenSpec() {
  const repo = repoWithCode();
  const made = await runMain(['spec', 'new', 'greet', '--from', 'feature.md'], repo);
  if (made.code !== 0) throw new Error(made.stderr);
  writeFileSync(join(specDir(repo), 'requirements.md'), REQUIREMENTS);
  writeFileSync(join(specDir(repo), 'plan.yaml'), HAND_PLAN);
  return repo;
}

interface TraceJson {
  run: { id: string; planChanged: boolean } | null;
  stories: { criteria: { id: string; tasks: { id: string; status?: string }[] }[] }[];
}
const traceOf = async (repo: string) =>
  JSON.parse((await runMain(['spec', 'trace', 'greet', '--json'], repo)).stdout) as TraceJson;

describe("a spec's plan runs only through its gate", () => {
  it('refuses `gaffer run .gaffer/specs/<id>/plan.yaml` until it is approved, and any other file of the spec', async () => {
    const repo = await handWrittenSpec();
    const direct = await runMain(['run', '.gaffer/specs/greet/plan.yaml'], repo);
    expect([direct.code, direct.stderr]).toEqual([
      2,
      expect.stringContaining('is not approved as it is now'),
    ]);
    writeFileSync(join(specDir(repo), 'plan.yaml.partial'), HAND_PLAN);
    const partial = await runMain(['run', '.gaffer/specs/greet/plan.yaml.partial'], repo);
    expect([partial.code, partial.stderr]).toEqual([2, expect.stringContaining('never approved to run')]);
    expect(partial.stderr).toContain('gaffer run --spec greet');
    expect(git(repo, 'branch', '--list', 'gaffer/*')).toBe('');

    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const ran = await runMain(['run', '.gaffer/specs/greet/plan.yaml'], repo);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    // Run by its path, it is still the spec's run: the trace finds it, criteria and all.
    const trace = await traceOf(repo);
    expect(trace.run?.planChanged).toBe(false);
    expect(trace.stories[0]!.criteria.map((c) => c.tasks.map((t) => t.status))).toEqual([
      ['passed'],
      ['passed'],
    ]);
    // A criterion a task lists twice is given to it once.
    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    try {
      const run = await store.getRun(trace.run!.id);
      const task = run?.plan.tasks.find((t) => t.id === 'greet-name');
      expect(task?.acceptance_criteria.filter((c) => c.startsWith('AC-1.1:'))).toHaveLength(1);
      expect(run?.options.spec).toBe('greet');
      expect(run?.options.specPlanSha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await store.close();
    }
  });

  it('refuses a plan changed after its approval, and while a live process writes the spec', async () => {
    const repo = await handWrittenSpec();
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    writeFileSync(join(specDir(repo), 'plan.yaml'), HAND_PLAN.replace('Greet by name', 'NOT APPROVED'));
    const changed = await runMain(['run', '--spec', 'greet'], repo);
    expect([changed.code, changed.stderr]).toEqual([2, expect.stringContaining('not approved as it is now')]);

    writeFileSync(join(specDir(repo), 'plan.yaml'), HAND_PLAN);
    // This test's own process holds the lock: alive, on this host.
    writeFileSync(
      join(specDir(repo), 'lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
    );
    const locked = await runMain(['run', '--spec', 'greet'], repo);
    expect([locked.code, locked.stderr]).toEqual([2, expect.stringContaining(`process ${process.pid}`)]);
    expect(git(repo, 'branch', '--list', 'gaffer/*')).toBe('');
  });

  it('traces the tasks of the plan that ran, and says when plan.yaml is another plan since', async () => {
    const repo = await handWrittenSpec();
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    expect((await runMain(['run', '--spec', 'greet'], repo)).code).toBe(0);
    // Revised by hand: the new plan drops a task and moves AC-1.2 onto a task that never ran.
    writeFileSync(
      join(specDir(repo), 'plan.yaml'),
      HAND_PLAN.replace('id: refuse-empty', 'id: refuse-blank'),
    );
    const trace = await traceOf(repo);
    expect(trace.run?.planChanged).toBe(true);
    expect(trace.stories[0]!.criteria.map((c) => c.tasks.map((t) => [t.id, t.status]))).toEqual([
      [['greet-name', 'passed']],
      [['refuse-empty', 'passed']],
    ]);
    const shown = await runMain(['spec', 'trace', 'greet'], repo);
    expect(shown.stdout).toContain('plan.yaml changed since');
    expect(readFileSync(join(specDir(repo), 'plan.yaml'), 'utf8')).toContain('refuse-blank');
  });
});
