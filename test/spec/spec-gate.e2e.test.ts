import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../src/spec/index.js';
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

  it('pins requirements.md with the approved plan: changed since, or an approval that predates the pin, is refused until approved again', async () => {
    const repo = await handWrittenSpec();
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const approvals = join(specDir(repo), 'approvals.json');
    const pinned = JSON.parse(readFileSync(approvals, 'utf8')) as {
      tasks: { sha256: string; at: string; requirementsSha256: string };
    };
    expect(pinned.tasks.requirementsSha256).toBe(sha256(REQUIREMENTS));
    // The plan has no receipt, so it is never stale: only the pin sees the criteria's new text.
    const revised = REQUIREMENTS.replace('return "hello <name>"', 'return "howdy <name>"');
    writeFileSync(join(specDir(repo), 'requirements.md'), revised);
    const changed = await runMain(['run', '--spec', 'greet'], repo);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain(
      `requirements.md changed (${sha256(REQUIREMENTS).slice(0, 12)} → ${sha256(revised).slice(0, 12)}) since plan.yaml was approved`,
    );
    expect(changed.stderr).toContain('`gaffer spec approve greet tasks`');
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toMatch(
      /tasks +done +plan\.yaml +needs approval/,
    );
    // An approval written before the pin existed pins nothing: it is asked for again.
    writeFileSync(join(specDir(repo), 'requirements.md'), REQUIREMENTS);
    const { requirementsSha256: _pin, ...old } = pinned.tasks;
    writeFileSync(approvals, JSON.stringify({ tasks: old }));
    const unpinned = await runMain(['run', '--spec', 'greet'], repo);
    expect(unpinned.code).toBe(2);
    expect(unpinned.stderr).toContain('does not say which requirements.md it was given with');
    expect(unpinned.stderr).toContain(
      'hint: read plan.yaml and requirements.md, then approve again: `gaffer spec approve greet tasks`',
    );
    expect(git(repo, 'branch', '--list', 'gaffer/*')).toBe('');

    writeFileSync(join(specDir(repo), 'requirements.md'), revised);
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const ran = await runMain(['run', '--spec', 'greet'], repo);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    try {
      const [run] = await store.listRuns();
      const task = run?.plan.tasks.find((t) => t.id === 'greet-name');
      expect(task?.acceptance_criteria).toContain(
        'AC-1.1: WHEN greet is called with a name THE SYSTEM SHALL return "howdy <name>"',
      );
    } finally {
      await store.close();
    }
  });

  it('runs a spec plan with a gap by its path with --allow-gaps, and the gap hint says how', async () => {
    const repo = await handWrittenSpec();
    writeFileSync(join(specDir(repo), 'plan.yaml'), HAND_PLAN.replace('    covers: [AC-1.2]\n', ''));
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const refused = await runMain(['run', '.gaffer/specs/greet/plan.yaml'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot run spec greet: no task covers AC-1.2');
    expect(refused.stderr).toContain('or run anyway: `gaffer run --spec greet --allow-gaps`');
    // A plan of one's own has no criteria: --allow-gaps is refused with it, before anything is made.
    writeFileSync(join(repo, 'mine.yaml'), HAND_PLAN);
    const mine = await runMain(['run', 'mine.yaml', '--allow-gaps'], repo);
    expect([mine.code, mine.stderr]).toEqual([
      2,
      expect.stringContaining("--allow-gaps goes with a spec's plan"),
    ]);
    expect(mine.stderr).toContain('gaffer run --spec <id> --allow-gaps');
    expect(existsSync(join(repo, '.gaffer', 'gaffer.db'))).toBe(false);

    const ran = await runMain(['run', '.gaffer/specs/greet/plan.yaml', '--allow-gaps'], repo);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe('warning: no task covers AC-1.2 (--allow-gaps)\n');
    expect((await traceOf(repo)).run).not.toBeNull();
  });
});
