import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import { runSpec } from '../../src/engine/spec/index.js';
import { runMain } from '../support/cli.js';
import { git } from '../support/repo.js';
import {
  both,
  md,
  modelPerTest,
  newSpec,
  PLAN,
  promptOf,
  receipts,
  repoWithCode,
  REQUIREMENTS,
  specDir,
} from './spec-support.js';

const startModel = modelPerTest();

interface StatusJson {
  phases: { phase: string; state: string; changed: { name: string }[] }[];
}
const statusOf = async (repo: string) =>
  JSON.parse((await runMain(['spec', 'status', 'greet', '--json'], repo)).stdout) as StatusJson;

/** A spec whose requirements and plan one quick answer wrote (`first`: the answers of that run). */
async function quickSpec(extraReplies: readonly string[] = [], first = [both(REQUIREMENTS, PLAN)]) {
  const model = await startModel([...first, ...extraReplies]);
  const repo = repoWithCode();
  await newSpec(repo, model.baseURL);
  const ran = await runMain(['spec', 'run', 'greet', '--quick'], repo);
  if (ran.code !== 0) throw new Error(ran.stdout + ran.stderr);
  return { model, repo };
}

describe('gaffer spec approve tasks', () => {
  it('refuses a plan.yaml that does not validate, with its issues at their lines and a hint, approving nothing', async () => {
    const { repo } = await quickSpec();
    const plan = join(specDir(repo), 'plan.yaml');
    // A person's edit: a criterion requirements.md does not have, and a dependency on no task.
    writeFileSync(
      plan,
      `agent: script\n${PLAN.replace('covers: [AC-1.2]', 'covers: [AC-9.9]').replace('depends_on: [greet-name]', 'depends_on: [nobody]')}`,
    );
    const refused = await runMain(['spec', 'approve', 'greet', 'tasks'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('plan.yaml of spec greet does not validate, so it cannot be approved');
    expect(refused.stderr).toMatch(/plan\.yaml:10:\d+: .*nobody/);
    expect(refused.stderr).toMatch(/plan\.yaml:12:\d+: covers "AC-9\.9"/);
    expect(refused.stderr).toContain(
      'hint: fix plan.yaml, or have it written again: `gaffer spec revise greet tasks',
    );
    expect(existsSync(join(specDir(repo), 'approvals.json'))).toBe(false);
    // Fixed by hand, it is approved.
    writeFileSync(plan, `agent: script\n${PLAN}`);
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
  }, 120_000);
});

describe('task ids that cannot name a branch', () => {
  it('are sent back by the correction loop at their line, and refused by approve in a plan edited by hand', async () => {
    const locked = PLAN.replaceAll('greet-name', 'greet.lock');
    const { model, repo } = await quickSpec([], [both(REQUIREMENTS, locked), both(REQUIREMENTS, PLAN)]);
    expect(model.exchanges).toHaveLength(2);
    expect(promptOf(model, 1)).toContain(
      'task id \\"greet.lock\\" cannot name a git branch (gaffer-tasks/<run>/greet.lock): part \\"greet.lock\\" ends with \\".lock\\"',
    );
    const plan = join(specDir(repo), 'plan.yaml');
    expect(readFileSync(plan, 'utf8')).toContain('id: greet-name');
    writeFileSync(plan, `agent: script\n${PLAN.replace('id: refuse-empty', 'id: fix.')}`);
    const refused = await runMain(['spec', 'approve', 'greet', 'tasks'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/plan\.yaml:8:9: task id "fix\." cannot name a git branch/);
    expect(existsSync(join(specDir(repo), 'approvals.json'))).toBe(false);
  }, 120_000);
});

describe('staleness from spec.yaml and the repository', () => {
  it("a change of spec.yaml's plan: settings makes plan.yaml stale; a change of the repository does not", async () => {
    const { repo } = await quickSpec();
    const config = join(specDir(repo), 'spec.yaml');
    const original = readFileSync(config, 'utf8');
    // The repository map changes with every commit: the plan is not stale for it.
    writeFileSync(join(repo, 'src', 'farewell.ts'), 'export const bye = () => "bye";\n');
    git(repo, 'add', 'src/farewell.ts');
    git(repo, 'commit', '-q', '-m', 'farewell');
    expect((await statusOf(repo)).phases.map((p) => p.state)).toEqual(['done', 'missing', 'done']);
    writeFileSync(
      config,
      original.replace('plan: { agent: script }', 'plan: { agent: script, concurrency: 2 }'),
    );
    const stale = await statusOf(repo);
    expect(stale.phases.map((p) => p.state)).toEqual(['done', 'missing', 'stale']);
    expect(stale.phases[2]!.changed.map((c) => c.name)).toEqual(["spec.yaml's plan"]);
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toMatch(
      /stale: spec\.yaml's plan: settings changed \(\w{12} → \w{12}\)/,
    );
    const refused = await runMain(['run', '--spec', 'greet'], repo);
    expect(refused.stderr).toContain("plan.yaml is stale: spec.yaml's plan: settings changed");
    // The same settings written another way are no change.
    writeFileSync(config, original.replace('plan: { agent: script }', 'plan:\n  agent: script\n'));
    expect((await statusOf(repo)).phases[2]!.state).toBe('done');
  }, 120_000);
});

describe('correction_rounds', () => {
  it('0: the first answer is used or refused as it is, never sent back', async () => {
    const model = await startModel([md('# Requirements\nJust do it.\n'), md(REQUIREMENTS)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const config = join(specDir(repo), 'spec.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('correction_rounds: 2', 'correction_rounds: 0'),
    );
    const ran = await runMain(['spec', 'run', 'greet'], repo);
    expect(ran.stdout).toContain('requirements: invalid after 1 round ');
    expect(ran.code).toBe(2);
    expect(model.exchanges).toHaveLength(1);
    expect(receipts(repo)['requirements-1.json']).toMatchObject({ status: 'invalid', rounds: 1 });
  }, 120_000);
});

describe('a spec run stopped by the person', () => {
  it('is recorded as cancelled, not failed, and status says so', async () => {
    const stop = new AbortController();
    // Round 1 is not usable; round 2 hangs, and the person stops the run while it does.
    const server = await startModel(({ index }): ChatTurn => {
      if (index === 0) return { text: md('# Requirements\nJust do it.\n') };
      stop.abort('interrupted by Ctrl-C');
      return { hang: true };
    });
    const repo = repoWithCode();
    await newSpec(repo, server.baseURL);
    const result = await runSpec({ cwd: repo, id: 'greet', gafferVersion: 'test', signal: stop.signal });
    expect(result.ran.map((o) => [o.receipt.status, o.receipt.rounds, o.receipt.error])).toEqual([
      ['cancelled', 2, 'stopped before a complete answer: interrupted by Ctrl-C'],
    ]);
    expect(receipts(repo)['requirements-1.json']).toMatchObject({ status: 'cancelled' });
    expect(readFileSync(join(specDir(repo), 'requirements.md.partial'), 'utf8')).toBe(
      '# Requirements\nJust do it.\n',
    );
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toMatch(
      /requirements +failed +requirements\.md +last run 1: cancelled/,
    );
  }, 120_000);
});

describe('gaffer spec status wording', () => {
  it('counts stories and criteria in the singular when there is one', async () => {
    const { repo } = await quickSpec();
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toContain(
      '1 user story, 2 acceptance criteria',
    );
    const one = REQUIREMENTS.replace(/- AC-1\.2:.*\n/, '');
    writeFileSync(join(specDir(repo), 'requirements.md'), one);
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toContain(
      '1 user story, 1 acceptance criterion',
    );
  }, 120_000);
});
