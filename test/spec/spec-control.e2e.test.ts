import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../support/cli.js';
import {
  DESIGN,
  md,
  modelPerTest,
  newSpec,
  PLAN,
  repoWithCode,
  REQUIREMENTS,
  specDir,
  yaml,
} from './spec-support.js';

const startModel = modelPerTest();

const statusOf = async (repo: string) =>
  JSON.parse((await runMain(['spec', 'status', 'greet', '--json'], repo)).stdout) as {
    phases: { phase: string; state: string; edited: boolean }[];
  };

describe('what gaffer spec run refuses before asking a model', () => {
  it('a bad plan: block of spec.yaml, at its line, before any model call', async () => {
    const model = await startModel([md(REQUIREMENTS)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    writeFileSync(
      join(specDir(repo), 'spec.yaml'),
      `agent: api
agents:
  api: { provider: openai-compatible, base_url: "${model.baseURL}", model: spec-model }
plan:
  agent: script
  max_rework: 1
  retries_typo: 2
`,
    );
    for (const args of [
      ['spec', 'run', 'greet'],
      ['spec', 'run', 'greet', '--quick'],
    ]) {
      const refused = await runMain(args, repo);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(
        `${join(specDir(repo), 'spec.yaml')}:7:3: plan: unknown key \`retries_typo\``,
      );
      expect(refused.stderr).toContain('hint: allowed keys: name, base_branch');
      expect(refused.stderr).toContain("fix spec.yaml's plan: block");
      expect(refused.stderr).not.toContain('    at ');
    }
    expect(model.exchanges).toHaveLength(0);
    expect(existsSync(join(specDir(repo), 'receipts', 'requirements-1.json'))).toBe(false);
    expect(existsSync(join(specDir(repo), 'lock'))).toBe(false);
    // A phase that writes no plan does not need them.
    expect((await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo)).code).toBe(0);
    expect(model.exchanges).toHaveLength(1);
  });

  it('an artifact edited by hand that a plain run would write again, unless its phase is named or --overwrite', async () => {
    const regenerated = REQUIREMENTS.replace('feel welcome', 'feel at home');
    const model = await startModel([md(REQUIREMENTS), md(regenerated), md(DESIGN), yaml(PLAN)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    expect((await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo)).code).toBe(0);
    const dir = specDir(repo);
    const mine = REQUIREMENTS + '\nNotes by a person.\n';
    writeFileSync(join(dir, 'requirements.md'), mine);
    writeFileSync(join(dir, 'feature.md'), 'The greeter says hello, warmly.\n');
    expect((await statusOf(repo)).phases[0]).toMatchObject({ state: 'stale', edited: true });

    const refused = await runMain(['spec', 'run', 'greet'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'requirements.md of spec greet was edited by hand since it was written, and this run would write it again',
    );
    expect(refused.stderr).toContain('`gaffer spec run greet --from-phase requirements` or add --overwrite');
    // --force is for a stale lock: it replaces no edit.
    const forced = await runMain(['spec', 'run', 'greet', '--force'], repo);
    expect([forced.code, forced.stderr]).toEqual([2, expect.stringContaining('was edited by hand')]);
    expect(model.exchanges).toHaveLength(1);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(mine);
    expect(existsSync(join(dir, 'lock'))).toBe(false);

    const overwritten = await runMain(['spec', 'run', 'greet', '--overwrite'], repo);
    expect(overwritten.stderr).toBe('');
    expect(overwritten.code).toBe(0);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(regenerated);
    expect(
      readdirSync(join(dir, 'history')).map((f) => readFileSync(join(dir, 'history', f), 'utf8')),
    ).toEqual([mine]);
  });

  it('decides what to run only under the lock: a held lock is refused before the status is read', async () => {
    const model = await startModel([]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    // A live holder of this host (this test's own process) writes the spec.
    const holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    writeFileSync(join(specDir(repo), 'lock'), JSON.stringify(holder));
    // Out of order: read before the lock, the status would refuse it for that instead.
    for (const args of [
      ['spec', 'run', 'greet', '--phase', 'design'],
      ['spec', 'run', 'greet'],
    ]) {
      const refused = await runMain(args, repo);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(`spec greet is locked by process ${process.pid}`);
      expect(refused.stderr).not.toContain('needs requirements first');
    }
    // A dry run takes no lock.
    const dry = await runMain(['spec', 'run', 'greet', '--dry-run'], repo);
    expect([dry.code, dry.stderr]).toEqual([0, '']);
    expect(model.exchanges).toHaveLength(0);
  });

  it('a spec whose spec.yaml does not read is listed with its error, and hides none of the others', async () => {
    const model = await startModel([]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    await newSpec(repo, model.baseURL, '', 'broken');
    await newSpec(repo, model.baseURL, '', 'other');
    writeFileSync(join(specDir(repo, 'broken'), 'spec.yaml'), 'agent: [\n');
    const listed = await runMain(['spec', 'list'], repo);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['broken', 'greet', 'other']);
    expect(lines[0]).toMatch(/^broken +error: .*spec\.yaml.*\(hint: fix the YAML\)$/);
    expect(lines[1]).toMatch(/^greet +requirements missing, design missing, tasks missing$/);
    const json = JSON.parse((await runMain(['spec', 'list', '--json'], repo)).stdout) as {
      id: string;
      error?: string;
      phases?: unknown[];
    }[];
    expect(json.map((s) => [s.id, typeof s.error, Array.isArray(s.phases)])).toEqual([
      ['broken', 'string', false],
      ['greet', 'undefined', true],
      ['other', 'undefined', true],
    ]);
    expect(json[0]!.error).toContain('spec.yaml');
    expect(model.exchanges).toHaveLength(0);
  });
});
