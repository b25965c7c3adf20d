import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256, sha256OfValue } from '../../src/spec/index.js';
import { runMain } from '../support/cli.js';
import {
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

const statusOf = async (repo: string) =>
  JSON.parse((await runMain(['spec', 'status', 'greet', '--json'], repo)).stdout) as {
    phases: {
      phase: string;
      state: string;
      approved: boolean;
      changed: { name: string; old: string; new: string }[];
    }[];
    gaps?: string[];
  };

describe('gaffer spec through the api backend', () => {
  it('runs requirements → design → tasks, each correction loop converging, with receipts that trace every input', async () => {
    const model = await startModel([
      // requirements, round 1: a criterion not in EARS form; round 2 fixed.
      md(REQUIREMENTS.replace('WHEN greet is called with a name THE SYSTEM SHALL', 'greet should')),
      md(REQUIREMENTS),
      md(DESIGN),
      // tasks, round 1: covers an id requirements.md does not have; round 2 fixed.
      yaml(PLAN.replace('covers: [AC-1.2]', 'covers: [AC-9.9]')),
      yaml(PLAN),
    ]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const ran = await runMain(['spec', 'run', 'greet'], repo);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(model.exchanges).toHaveLength(5);
    // The second round of each was told what was wrong, and where.
    expect(promptOf(model, 1)).toContain('requirements.md:6: AC-1.1 is not in EARS form');
    expect(promptOf(model, 4)).toMatch(
      /your YAML block:\d+:\d+: covers \\"AC-9.9\\", which is no acceptance criterion/,
    );
    // The design and tasks prompts are grounded in the repository.
    expect(promptOf(model, 2)).toContain('src/greet.ts: greet, DEFAULT_NAME');
    expect(promptOf(model, 3)).toContain('AC-1.1, AC-1.2');

    const dir = specDir(repo);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(REQUIREMENTS);
    expect(readFileSync(join(dir, 'plan.yaml'), 'utf8')).toContain('agent: script\nname: greet');
    const all = receipts(repo);
    expect(Object.keys(all).sort()).toEqual(['design-1.json', 'requirements-1.json', 'tasks-1.json']);
    expect(all['tasks-1.json']).toMatchObject({
      status: 'ok',
      rounds: 2,
      agent: 'api',
      model: 'spec-model',
      template: { name: 'tasks', version: 1 },
      inputs: [{ name: 'feature.md' }, { name: 'requirements.md' }, { name: 'design.md' }],
      output: { file: 'plan.yaml', maxChars: 60000 },
      gaps: [],
    });
    expect((all['tasks-1.json']!.usage as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
    const status = await statusOf(repo);
    expect(status.phases.map((p) => [p.phase, p.state, p.approved])).toEqual([
      ['requirements', 'done', false],
      ['design', 'done', false],
      ['tasks', 'done', false],
    ]);
    expect(status.gaps).toEqual([]);
    const approved = await runMain(['spec', 'approve', 'greet', 'tasks'], repo);
    expect(approved.code).toBe(0);
    expect((await statusOf(repo)).phases[2]!.approved).toBe(true);

    // A person edits requirements.md: design and tasks are stale, and say which input changed.
    const edited = REQUIREMENTS.replace('throw an error', 'return "hello stranger"');
    writeFileSync(join(dir, 'requirements.md'), edited);
    const stale = await statusOf(repo);
    expect(stale.phases.map((p) => p.state)).toEqual(['done', 'stale', 'stale']);
    expect(stale.phases[1]!.changed).toEqual([
      {
        name: 'requirements.md',
        old: (all['design-1.json']!.inputs as { sha256: string }[])[1]!.sha256,
        new: sha256(edited),
      },
    ]);
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toMatch(
      /stale: requirements.md changed \(\w{12} → \w{12}\)/,
    );
    // …and the plan cannot be re-run out of order, nor a stale one approved.
    const refused = await runMain(['spec', 'run', 'greet', '--phase', 'tasks'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('tasks needs design first, which is stale');
    expect(refused.stderr).toContain('--from-phase design');
    expect((await runMain(['spec', 'approve', 'greet', 'design'], repo)).code).toBe(2);
    expect(model.exchanges).toHaveLength(5);
  }, 120_000);

  it('gives up after the correction rounds: the partial plan is kept, plan.yaml is not written, the errors are shown', async () => {
    const bad = yaml(
      'name: greet\ntasks:\n  - id: a\n    title: A\n    depends_on: [nowhere]\n    covers: [AC-1.1, AC-1.2]\n',
    );
    // correction_rounds: 2 sends an unusable answer back twice: three rounds in all.
    const model = await startModel([md(REQUIREMENTS), md(DESIGN), bad, bad, bad]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const ran = await runMain(['spec', 'run', 'greet'], repo);
    expect(ran.code).toBe(2);
    expect(model.exchanges).toHaveLength(5);
    expect(ran.stdout).toContain('tasks: invalid after 3 rounds');
    expect(ran.stdout).toMatch(/plan\.yaml\.partial:\d+:\d+: .*nowhere/);
    const dir = specDir(repo);
    expect(existsSync(join(dir, 'plan.yaml'))).toBe(false);
    expect(readFileSync(join(dir, 'plan.yaml.partial'), 'utf8')).toContain('depends_on: [nowhere]');
    expect(receipts(repo)['tasks-1.json']).toMatchObject({
      status: 'invalid',
      rounds: 3,
      output: { file: 'plan.yaml.partial' },
    });
    expect((await statusOf(repo)).phases[2]!.state).toBe('failed');
  }, 120_000);

  it('keeps the best round, not the last, and shows the model its previous reply in each correction', async () => {
    const oneProblem = yaml(PLAN.replace('depends_on: [greet-name]', 'depends_on: [nowhere]'));
    const twoProblems = yaml(
      PLAN.replace('depends_on: [greet-name]', 'depends_on: [gone]').replace(
        'covers: [AC-1.1]',
        'covers: [AC-9.9]',
      ),
    );
    // Round 2 is no plan at all (as many problems: the earlier answer stays), round 3 is worse.
    const model = await startModel([
      md(REQUIREMENTS),
      md(DESIGN),
      oneProblem,
      'I cannot do that.',
      twoProblems,
    ]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const ran = await runMain(['spec', 'run', 'greet'], repo);
    expect(ran.code).toBe(2);
    expect(model.exchanges).toHaveLength(5);
    // Each correction carries the reply its problems are about.
    expect(promptOf(model, 3)).toContain('## Your previous reply');
    expect(promptOf(model, 3)).toContain('depends_on: [nowhere]');
    expect(promptOf(model, 4)).toContain('I cannot do that.');
    const partial = readFileSync(join(specDir(repo), 'plan.yaml.partial'), 'utf8');
    expect(partial).toContain('depends_on: [nowhere]');
    expect(partial).not.toContain('AC-9.9');
    expect(receipts(repo)['tasks-1.json']).toMatchObject({
      status: 'invalid',
      rounds: 3,
      issues: [expect.stringContaining('nowhere')],
    });
  }, 120_000);

  it("records in each receipt what else went into the answer: the repository map, the plan settings, every round's prompt", async () => {
    const model = await startModel([md(REQUIREMENTS), md(DESIGN), yaml(PLAN)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    expect((await runMain(['spec', 'run', 'greet'], repo)).code).toBe(0);
    const all = receipts(repo);
    expect(all['requirements-1.json']!.context).toBeUndefined();
    expect(all['design-1.json']!.context).toEqual([
      { name: 'repository map', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string },
    ]);
    expect(all['tasks-1.json']!.context).toEqual([
      { name: 'repository map', sha256: (all['design-1.json']!.context as { sha256: string }[])[0]!.sha256 },
      { name: "spec.yaml's plan", sha256: sha256OfValue({ agent: 'script' }) },
    ]);
    expect(all['tasks-1.json']!.promptsSha256).toEqual([all['tasks-1.json']!.promptSha256]);
    // Another plan: setting is another input of the plan, hashed the same however it is written.
    expect(sha256OfValue({ a: 1, b: { c: 2 } })).toBe(sha256OfValue({ b: { c: 2 }, a: 1 }));
  }, 120_000);

  it('never reads a spec file through a symbolic link, and writes over a link instead of through it', async () => {
    const repo = repoWithCode();
    const dir = specDir(repo);
    const secret = join(repo, '..', `${basename(repo)}-credentials`);
    const SECRET = 'aws_secret_access_key = hunter2\n';
    const answers = [md('# Requirements\nNothing yet.\n'), 'still nothing', 'nothing'];
    const model = await startModel((request) => {
      if (request.index < answers.length) return { text: answers[request.index]! };
      // While the last run waits for its answer, a link is planted where its artifact goes.
      symlinkSync(secret, join(dir, 'requirements.md'));
      return { text: md(REQUIREMENTS) };
    });
    await newSpec(repo, model.baseURL);
    writeFileSync(secret, SECRET);
    rmSync(join(dir, 'feature.md'));
    symlinkSync(secret, join(dir, 'feature.md'));
    const refused = await runMain(['spec', 'run', 'greet'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('feature.md is a symbolic link');
    expect(refused.stderr).toContain('hint:');
    expect(model.exchanges).toHaveLength(0);
    expect(existsSync(join(dir, 'receipts', 'requirements-1.json'))).toBe(false);

    // A link planted where the run writes its partial output is replaced, its target left alone.
    rmSync(join(dir, 'feature.md'));
    writeFileSync(join(dir, 'feature.md'), 'Say hello.\n');
    symlinkSync(secret, join(dir, 'requirements.md.partial'));
    const ran = await runMain(['spec', 'run', 'greet'], repo);
    expect(ran.code).toBe(2);
    expect(readFileSync(secret, 'utf8')).toBe(SECRET);
    expect(lstatSync(join(dir, 'requirements.md.partial')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'requirements.md.partial'), 'utf8')).toContain('Nothing yet.');

    // …and so is one planted at the artifact's path: the link goes to history/, the target stays.
    const wrote = await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo);
    expect(wrote.code).toBe(0);
    expect(model.exchanges).toHaveLength(4);
    expect(readFileSync(secret, 'utf8')).toBe(SECRET);
    expect(lstatSync(join(dir, 'requirements.md')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(REQUIREMENTS);
    expect(lstatSync(join(dir, 'history', '2-requirements.md')).isSymbolicLink()).toBe(true);
    // Nothing of the secret reached the model.
    for (const i of model.exchanges.keys()) expect(promptOf(model, i)).not.toContain('hunter2');
  }, 120_000);

  it('stops a runaway answer at twice max_output_chars and keeps at most max_output_chars of it, saying so', async () => {
    const huge = md(`${REQUIREMENTS}${'x'.repeat(300_000)}\n`);
    const model = await startModel([huge, huge, huge]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL, 'max_output_chars: 2000\n');
    const ran = await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo);
    expect(ran.code).toBe(2);
    const tooLong =
      'the answer was stopped after 4000 characters, far above the limit of 2000: write it shorter';
    expect(promptOf(model, 1)).toContain(tooLong);
    const partial = readFileSync(join(specDir(repo), 'requirements.md.partial'), 'utf8');
    expect(partial.length).toBeLessThan(2200);
    expect(partial).toContain('# Requirements: Greeting');
    expect(partial).toMatch(
      /\n\[… cut here at max_output_chars \(2000\): \d+ more characters were not kept\]\n$/,
    );
    expect(receipts(repo)['requirements-1.json']).toMatchObject({
      status: 'invalid',
      rounds: 3,
      issues: [tooLong],
      output: { file: 'requirements.md.partial', chars: partial.length, sha256: sha256(partial) },
    });
  }, 120_000);

  it('reports a coverage gap that the correction round did not close, in the run, the receipt and the status', async () => {
    const model = await startModel([md(REQUIREMENTS), md(DESIGN), yaml(PLAN_WITH_GAP), yaml(PLAN_WITH_GAP)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const ran = await runMain(['spec', 'run', 'greet'], repo);
    expect(ran.code).toBe(0);
    expect(promptOf(model, 3)).toContain('no task covers AC-1.2');
    expect(ran.stdout).toContain('coverage gap: no task covers AC-1.2');
    expect(receipts(repo)['tasks-1.json']).toMatchObject({ status: 'ok', gaps: ['AC-1.2'] });
    expect((await statusOf(repo)).gaps).toEqual(['AC-1.2']);
  }, 120_000);

  it('--dry-run prints the prompt, its inputs with their hashes and the estimated tokens, and calls no model', async () => {
    const model = await startModel([]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const dry = await runMain(['spec', 'run', 'greet', '--dry-run'], repo);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/input feature\.md +[0-9a-f]{64}/);
    expect(dry.stdout).toMatch(/estimated tokens: \d+/);
    expect(dry.stdout).toContain('The greeter says hello');
    expect(model.exchanges).toHaveLength(0);
    expect(existsSync(join(specDir(repo), 'receipts', 'requirements-1.json'))).toBe(false);
    expect(existsSync(join(specDir(repo), 'lock'))).toBe(false);
  });

  it('refuses bad input with one message and a hint, exit 2, writing nothing', async () => {
    const repo = repoWithCode();
    const cases: [string[], string][] = [
      [['spec', 'new', 'x', '--text', '  '], 'the feature description is empty'],
      [['spec', 'new', 'x', '--from', 'missing.md'], 'cannot read the feature file missing.md'],
      [['spec', 'new', 'Not_Valid', '--text', 'a'], 'is not a valid spec id'],
      [['spec', 'status', 'nope'], 'there is no spec "nope"'],
      [['spec', 'run', 'nope'], 'there is no spec "nope"'],
    ];
    for (const [args, message] of cases) {
      const result = await runMain(args, repo);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('hint:');
      expect(result.stderr).not.toContain('    at ');
    }
    expect(existsSync(join(repo, '.gaffer'))).toBe(false);
    await runMain(['spec', 'new', 'greet', '--text', 'Say hello'], repo);
    const phase = await runMain(['spec', 'run', 'greet', '--phase', 'deploy'], repo);
    expect([phase.code, phase.stderr]).toEqual([2, expect.stringContaining('unknown phase "deploy"')]);
    const order = await runMain(['spec', 'run', 'greet', '--phase', 'design'], repo);
    expect([order.code, order.stderr]).toEqual([
      2,
      expect.stringContaining('design needs requirements first, which is missing'),
    ]);
    const again = await runMain(['spec', 'new', 'greet', '--text', 'Other'], repo);
    expect([again.code, again.stderr]).toEqual([2, expect.stringContaining('already exists')]);
    expect(readFileSync(join(specDir(repo), 'feature.md'), 'utf8')).toBe('Say hello\n');
  });
});
