import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { specRunPlan } from '../../src/engine/spec/index.js';
import { sha256 } from '../../src/spec/index.js';
import { runMain } from '../support/cli.js';
import {
  both,
  DESIGN,
  md,
  modelPerTest,
  newSpec,
  PLAN,
  PLAN_WITH_GAP,
  promptOf,
  receipts,
  repoWithCode,
  REQUIREMENTS,
  specDir,
  yaml,
} from './spec-support.js';

const startModel = modelPerTest();

interface StatusJson {
  quick: boolean;
  phases: { phase: string; state: string; changed: { name: string; old: string | null; new: string }[] }[];
  gaps?: string[];
}
const statusOf = async (repo: string) =>
  JSON.parse((await runMain(['spec', 'status', 'greet', '--json'], repo)).stdout) as StatusJson;

/** The first `gaffer spec …` command a hint names, as the arguments to run it with. */
function suggested(stderr: string): string[] {
  const command = /`gaffer (spec [^`]+)`/.exec(stderr)?.[1];
  if (command === undefined) throw new Error(`no command in: ${stderr}`);
  // Only the feedback of `spec revise` is quoted; every other word is an argument of its own.
  const feedback = /--feedback "([^"]*)"/.exec(command);
  const words = command.replace(/ --feedback "[^"]*"/, '').split(' ');
  return feedback ? [...words, '--feedback', feedback[1]!] : words;
}

const EDITED = REQUIREMENTS.replace('throw an error', 'return "hello stranger"');

async function quickSpec(replies: readonly string[]) {
  const model = await startModel(replies);
  const repo = repoWithCode();
  await newSpec(repo, model.baseURL);
  const ran = await runMain(['spec', 'run', 'greet', '--quick'], repo);
  return { model, repo, ran };
}

describe('a spec after gaffer spec run --quick', () => {
  it('an edit to the requirements: the command `run --spec` suggests re-writes the plan from them alone, and so does a plain run', async () => {
    const { model, repo, ran } = await quickSpec([both(REQUIREMENTS, PLAN), yaml(PLAN), yaml(PLAN)]);
    expect(ran.code).toBe(0);
    writeFileSync(join(specDir(repo), 'requirements.md'), EDITED);
    const refused = await runMain(['run', '--spec', 'greet'], repo);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('plan.yaml is stale')]);
    const hint = suggested(refused.stderr);
    expect(hint).toEqual(['spec', 'run', 'greet', '--from-phase', 'tasks']);
    const again = await runMain(hint, repo);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(model.exchanges).toHaveLength(2);
    // The tasks template, from the requirements as edited, with no design to show.
    expect(promptOf(model, 1)).toContain('Write the task plan for the feature below');
    expect(promptOf(model, 1)).toContain('hello stranger');
    expect(promptOf(model, 1)).not.toContain('## Design');
    expect(receipts(repo)['tasks-2.json']).toMatchObject({
      status: 'ok',
      template: { name: 'tasks' },
      inputs: [{ name: 'feature.md' }, { name: 'requirements.md' }, { name: 'design.md', sha256: null }],
    });
    // Still a plan without a design: the design stays skipped, and a plain run after another edit
    // re-writes the plan alone.
    const after = await statusOf(repo);
    expect([after.quick, after.phases.map((p) => p.state)]).toEqual([true, ['done', 'missing', 'done']]);
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toContain(
      'skipped: the plan was written',
    );
    writeFileSync(join(specDir(repo), 'requirements.md'), REQUIREMENTS);
    const plain = await runMain(['spec', 'run', 'greet'], repo);
    expect([plain.code, plain.stderr]).toEqual([0, '']);
    expect(plain.stdout).toContain('tasks: ok');
    expect(model.exchanges).toHaveLength(3);
  }, 120_000);

  it('a plan with a gap: the revise command `run --spec` suggests runs, with the feedback', async () => {
    // Every round leaves AC-1.2 uncovered: the plan is written with the gap (2 correction rounds).
    const gap = both(REQUIREMENTS, PLAN_WITH_GAP);
    const { model, repo, ran } = await quickSpec([gap, gap, gap, yaml(PLAN)]);
    expect(ran.code).toBe(0);
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const refused = await runMain(['run', '--spec', 'greet'], repo);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('no task covers AC-1.2')]);
    const hint = suggested(refused.stderr);
    expect(hint).toEqual(['spec', 'revise', 'greet', 'tasks', '--feedback', 'cover AC-1.2']);
    const revised = await runMain(hint, repo);
    expect(revised.stderr).toBe('');
    expect(revised.code).toBe(0);
    expect(model.exchanges).toHaveLength(4);
    expect(promptOf(model, 3)).toContain('## Your previous plan');
    expect(promptOf(model, 3)).toContain('cover AC-1.2');
    expect((await statusOf(repo)).gaps).toEqual([]);
  }, 120_000);

  it('a quick run that failed: status offers what works, and a plain run goes the full way', async () => {
    const { model, repo, ran } = await quickSpec([
      ...['no blocks here', 'still none', 'none'],
      ...[md(REQUIREMENTS), md(DESIGN), yaml(PLAN)],
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toContain(
      'hint: read the partial output, fix the cause, then run it again: `gaffer spec run greet --quick`',
    );
    const status = await runMain(['spec', 'status', 'greet'], repo);
    expect(status.stdout).not.toContain('skipped');
    expect(status.stdout).toContain(
      'the --quick run did not succeed: `gaffer spec run greet --quick` tries again',
    );
    expect((await statusOf(repo)).quick).toBe(false);
    const refused = await runMain(['run', '--spec', 'greet'], repo);
    expect(refused.stderr).toContain(
      '`gaffer spec run greet --quick` again, or with `gaffer spec run greet`',
    );
    const plain = await runMain(['spec', 'run', 'greet'], repo);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('waiting');
    expect(model.exchanges).toHaveLength(6);
    expect(readFileSync(join(specDir(repo), 'design.md'), 'utf8')).toBe(DESIGN);
    expect((await statusOf(repo)).phases.map((p) => p.state)).toEqual(['done', 'done', 'done']);
  }, 120_000);

  it('a design written after it makes the plan stale ("design.md appeared"); the plan written again reads it', async () => {
    const { model, repo, ran } = await quickSpec([both(REQUIREMENTS, PLAN), md(DESIGN), yaml(PLAN)]);
    expect(ran.code).toBe(0);
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const design = await runMain(['spec', 'run', 'greet', '--phase', 'design'], repo);
    expect([design.code, design.stderr]).toEqual([0, '']);
    const stale = await statusOf(repo);
    expect(stale.phases.map((p) => p.state)).toEqual(['done', 'done', 'stale']);
    expect(stale.phases[2]!.changed).toEqual([{ name: 'design.md', old: null, new: sha256(DESIGN) }]);
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toMatch(
      /stale: design\.md appeared \(\w{12}\)/,
    );
    const refused = await runMain(['run', '--spec', 'greet'], repo);
    expect(refused.stderr).toContain('plan.yaml is stale: design.md appeared');
    expect(suggested(refused.stderr)).toEqual(['spec', 'run', 'greet', '--from-phase', 'tasks']);
    const plain = await runMain(['spec', 'run', 'greet'], repo);
    expect([plain.code, plain.stderr]).toEqual([0, '']);
    expect(promptOf(model, 2)).toContain('## Design');
    const after = await statusOf(repo);
    expect([after.quick, after.phases.map((p) => p.state)]).toEqual([false, ['done', 'done', 'done']]);
  }, 120_000);

  it('a crash between the two receipts of a quick run: the next one does not reuse the tasks number the first named', async () => {
    const { repo, ran } = await quickSpec([both(REQUIREMENTS, PLAN), both(REQUIREMENTS, PLAN)]);
    expect(ran.code).toBe(0);
    // As if the process died after writing requirements-1.json, which names tasks-1.json.
    rmSync(join(specDir(repo), 'receipts', 'tasks-1.json'));
    expect((await runMain(['spec', 'run', 'greet', '--quick'], repo)).code).toBe(0);
    const all = receipts(repo);
    expect(Object.keys(all).sort()).toEqual(['requirements-1.json', 'requirements-2.json', 'tasks-2.json']);
    expect(all['requirements-2.json']!.quick).toEqual({ other: 'tasks-2.json' });
    expect(all['tasks-2.json']!.quick).toEqual({ other: 'requirements-2.json' });
    expect(existsSync(join(specDir(repo), 'receipts', 'tasks-1.json'))).toBe(false);
  }, 120_000);

  it('a requirements gate: --quick is refused up front, and a plan written past the gate does not run until requirements are approved', async () => {
    const model = await startModel([both(REQUIREMENTS, PLAN)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL, 'gates: { requirements: true }\n');
    for (const args of [
      ['spec', 'run', 'greet', '--quick'],
      ['spec', 'run', 'greet', '--quick', '--dry-run'],
    ]) {
      const refused = await runMain(args, repo);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(
        'spec greet has a requirements gate, and --quick would write the plan before anyone approves the requirements',
      );
      expect(refused.stderr).toContain('`gaffer spec approve greet requirements`');
      expect(refused.stderr).toContain('gates: { requirements: false }');
    }
    expect(model.exchanges).toHaveLength(0);
    expect(existsSync(join(specDir(repo), 'requirements.md'))).toBe(false);

    // Written with the gate off, then the gate turned on: the run waits for the requirements too.
    const config = join(specDir(repo), 'spec.yaml');
    const gated = readFileSync(config, 'utf8');
    writeFileSync(config, gated.replace('requirements: true', 'requirements: false'));
    expect((await runMain(['spec', 'run', 'greet', '--quick'], repo)).code).toBe(0);
    writeFileSync(config, gated);
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const waiting = await runMain(['run', '--spec', 'greet'], repo);
    expect(waiting.code).toBe(2);
    expect(waiting.stderr).toContain(
      'cannot run spec greet: requirements.md is not approved as it is now (the requirements gate is on)',
    );
    expect(suggested(waiting.stderr)).toEqual(['spec', 'approve', 'greet', 'requirements']);
    expect((await runMain(suggested(waiting.stderr), repo)).code).toBe(0);
    await expect(specRunPlan(repo, { spec: 'greet' })).resolves.toMatchObject({
      spec: { id: 'greet' },
      gaps: [],
    });
  }, 120_000);

  it('a second --quick after a hand edit of requirements.md is refused like a plain run, unless --overwrite', async () => {
    const regenerated = REQUIREMENTS.replace('feel welcome', 'feel at home');
    const { model, repo, ran } = await quickSpec([both(REQUIREMENTS, PLAN), both(regenerated, PLAN)]);
    expect(ran.code).toBe(0);
    const dir = specDir(repo);
    const mine = REQUIREMENTS + '\nNotes by a person.\n';
    writeFileSync(join(dir, 'requirements.md'), mine);
    for (const args of [
      ['spec', 'run', 'greet', '--quick'],
      ['spec', 'run', 'greet', '--quick', '--force'],
    ]) {
      const refused = await runMain(args, repo);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(
        'requirements.md of spec greet was edited by hand since it was written',
      );
      expect(refused.stderr).toContain(
        '`gaffer spec run greet --quick --overwrite` (your version is kept in history/)',
      );
    }
    expect(model.exchanges).toHaveLength(1);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(mine);
    expect(existsSync(join(dir, 'lock'))).toBe(false);

    const overwritten = await runMain(['spec', 'run', 'greet', '--quick', '--overwrite'], repo);
    expect([overwritten.code, overwritten.stderr]).toEqual([0, '']);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(regenerated);
    expect(
      readdirSync(join(dir, 'history')).map((f) => readFileSync(join(dir, 'history', f), 'utf8')),
    ).toContain(mine);
  }, 120_000);
});
