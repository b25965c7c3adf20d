import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sha256, sha256OfValue } from '../../src/spec/index.js';
import { runMain } from '../support/cli.js';
import {
  both,
  DESIGN,
  md,
  modelPerTest,
  newSpec,
  PLAN,
  promptOf,
  receipts,
  repoWithCode,
  REQUIREMENTS,
  specDir,
  yaml,
} from './spec-support.js';

const startModel = modelPerTest();

describe('gaffer spec run --quick', () => {
  it('writes requirements.md and plan.yaml from one answer, no design, each with a receipt reporting its size', async () => {
    // Round 1: the plan covers a criterion the requirements do not have; round 2 fixed.
    const model = await startModel([
      both(REQUIREMENTS, PLAN.replace('covers: [AC-1.2]', 'covers: [AC-3.1]')),
      both(REQUIREMENTS, PLAN),
    ]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const ran = await runMain(['spec', 'run', 'greet', '--quick'], repo);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(model.exchanges).toHaveLength(2);
    expect(promptOf(model, 0)).toContain(
      'write its requirements and its task plan in one reply, without a design',
    );
    expect(promptOf(model, 0)).toContain('src/greet.ts: greet, DEFAULT_NAME');
    expect(promptOf(model, 1)).toMatch(/covers \\"AC-3.1\\", which is no acceptance criterion/);
    // The correction shows the reply it is about.
    expect(promptOf(model, 1)).toContain('## Your previous reply');
    expect(promptOf(model, 1)).toContain('covers: [AC-3.1]');
    const dir = specDir(repo);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(REQUIREMENTS);
    expect(readFileSync(join(dir, 'plan.yaml'), 'utf8')).toContain('covers: [AC-1.2]');
    expect(existsSync(join(dir, 'design.md'))).toBe(false);
    const all = receipts(repo);
    expect(Object.keys(all).sort()).toEqual(['requirements-1.json', 'tasks-1.json']);
    expect(all['requirements-1.json']).toMatchObject({
      status: 'ok',
      template: { name: 'quick', version: 1 },
      inputs: [{ name: 'feature.md' }],
      output: { file: 'requirements.md', chars: REQUIREMENTS.length, maxChars: 60000 },
      usage: null,
      quick: { other: 'tasks-1.json' },
    });
    expect(all['tasks-1.json']).toMatchObject({
      status: 'ok',
      rounds: 2,
      inputs: [
        { name: 'feature.md' },
        { name: 'requirements.md', sha256: sha256(REQUIREMENTS) },
        { name: 'design.md', sha256: null },
      ],
      output: { file: 'plan.yaml', maxChars: 60000 },
      gaps: [],
      quick: { other: 'requirements-1.json' },
      context: [
        { name: 'repository map', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string },
        { name: "spec.yaml's plan", sha256: sha256OfValue({ agent: 'script' }) },
      ],
    });
    expect(ran.stdout).toMatch(/wrote .*requirements\.md \(\d+ of at most 60000 characters\)/);
    expect(ran.stdout).toMatch(/wrote .*plan\.yaml \(\d+ of at most 60000 characters\)/);
    const status = await runMain(['spec', 'status', 'greet'], repo);
    expect(status.stdout).toContain('skipped: the plan was written from the requirements alone (--quick)');
    // Nothing is left to do: no design is asked for, and the plan can be approved and run.
    const again = await runMain(['spec', 'run', 'greet'], repo);
    expect(again.stdout).toContain('every phase is done');
    expect(model.exchanges).toHaveLength(2);
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    // An edit to the requirements makes the quick plan stale.
    writeFileSync(join(dir, 'requirements.md'), REQUIREMENTS.replace('throw an error', 'say so'));
    const refused = await runMain(['run', '--spec', 'greet'], repo);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('plan.yaml is stale')]);
  }, 120_000);

  it('bounds the answer: one above max_output_chars is sent back, and refused when still too long', async () => {
    const long = both(REQUIREMENTS, PLAN) + 'x'.repeat(3000);
    const model = await startModel([long, long, long]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL, 'max_output_chars: 2000\n');
    const ran = await runMain(['spec', 'run', 'greet', '--quick'], repo);
    expect(ran.code).toBe(2);
    expect(promptOf(model, 1)).toContain('above the limit of 2000: write it shorter');
    expect(receipts(repo)['tasks-1.json']).toMatchObject({ status: 'invalid', rounds: 3 });
    expect(existsSync(join(specDir(repo), 'plan.yaml'))).toBe(false);
  }, 120_000);

  it('--quick --dry-run prints the one prompt and calls nothing', async () => {
    const model = await startModel([]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    const dry = await runMain(['spec', 'run', 'greet', '--quick', '--dry-run'], repo);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('template quick v1');
    expect(dry.stdout).toMatch(/input feature\.md +[0-9a-f]{64}/);
    expect(model.exchanges).toHaveLength(0);
    const bad = await runMain(['spec', 'run', 'greet', '--quick', '--phase', 'tasks'], repo);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining('--quick writes requirements and tasks together'),
    ]);
  });
});

describe('gaffer spec revise', () => {
  it('re-runs a phase with the feedback and the previous output in the prompt; the receipt records the feedback hash; later phases go stale', async () => {
    const revised = DESIGN.replace('None.', 'An empty name must be refused before greeting.');
    const model = await startModel([md(REQUIREMENTS), md(DESIGN), yaml(PLAN), md(revised)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    expect((await runMain(['spec', 'run', 'greet'], repo)).code).toBe(0);
    const feedback = 'Name the risk of an empty name.';
    const ran = await runMain(['spec', 'revise', 'greet', 'design', '--feedback', feedback], repo);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const prompt = promptOf(model, 3);
    expect(prompt).toContain('## Your previous design');
    expect(prompt).toContain('Change src/greet.ts (AC-1.1, AC-1.2).');
    expect(prompt).toContain(`## What the person asks you to change\\n${feedback}`);
    const dir = specDir(repo);
    expect(readFileSync(join(dir, 'design.md'), 'utf8')).toBe(revised);
    expect(readFileSync(join(dir, 'history', '2-design.md'), 'utf8')).toBe(DESIGN);
    expect(ran.stdout).toContain('the previous version is kept as');
    const all = receipts(repo);
    expect(all['design-2.json']).toMatchObject({ status: 'ok', feedbackSha256: sha256(feedback) });
    expect(all['design-1.json']!.feedbackSha256).toBeUndefined();
    const status = JSON.parse((await runMain(['spec', 'status', 'greet', '--json'], repo)).stdout) as {
      phases: { phase: string; state: string }[];
    };
    expect(status.phases.map((p) => p.state)).toEqual(['done', 'done', 'stale']);
    const noFeedback = await runMain(['spec', 'revise', 'greet', 'design'], repo);
    expect(noFeedback.code).toBe(2);
    expect(noFeedback.stderr).toContain("required option '--feedback <text>' not specified");
    expect(model.exchanges).toHaveLength(4);
  }, 120_000);

  it('puts the feedback in the prompt of a phase that failed (with its .partial) or is missing (alone)', async () => {
    const unusable = md('# Requirements\nJust do it.\n');
    const model = await startModel([unusable, unusable, unusable, md(REQUIREMENTS), md(DESIGN)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    expect((await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo)).code).toBe(2);
    const feedback = 'One user story: greet by name.';
    const ran = await runMain(['spec', 'revise', 'greet', 'requirements', '--feedback', feedback], repo);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const prompt = promptOf(model, 3);
    expect(prompt).toContain(`## What the person asks you to change\\n${feedback}`);
    expect(prompt).toContain('## Your previous requirements\\n(Not usable as it was');
    expect(prompt).toContain('Just do it.');
    expect(receipts(repo)['requirements-2.json']).toMatchObject({
      status: 'ok',
      feedbackSha256: sha256(feedback),
    });

    const design = 'Keep it to one file.';
    expect((await runMain(['spec', 'revise', 'greet', 'design', '--feedback', design], repo)).code).toBe(0);
    expect(promptOf(model, 4)).toContain(`## What the person asks you to change\\n${design}`);
    expect(promptOf(model, 4)).not.toContain('## Your previous design');
    expect(receipts(repo)['design-1.json']).toMatchObject({ status: 'ok', feedbackSha256: sha256(design) });
  }, 120_000);
});

describe('gaffer spec status and the lock', () => {
  it('shows running while a live process holds the lock, and a stale lock once its holder is gone', async () => {
    const repo = repoWithCode();
    await runMain(['spec', 'new', 'greet', '--text', 'Say hello'], repo);
    const lock = join(specDir(repo), 'lock');
    const now = new Date().toISOString();
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: now }));
    const running = await runMain(['spec', 'status', 'greet'], repo);
    expect(running.stdout).toContain(
      `running: process ${process.pid} on ${hostname()} since ${now} is writing this spec`,
    );
    const json = JSON.parse((await runMain(['spec', 'status', 'greet', '--json'], repo)).stdout) as {
      lock: { state: string; holder: { pid: number } };
    };
    expect(json.lock).toMatchObject({ state: 'running', holder: { pid: process.pid } });
    expect((await runMain(['spec', 'list'], repo)).stdout).toContain('running;');
    // An old lock of a live process on this host is still held; an old one of another host is not.
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }),
    );
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toContain('running:');
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, host: 'elsewhere.invalid', startedAt: '2020-01-01T00:00:00.000Z' }),
    );
    const stale = await runMain(['spec', 'status', 'greet'], repo);
    expect(stale.stdout).not.toContain('running:');
    expect(stale.stdout).toContain('stale lock: process');
    expect(existsSync(lock)).toBe(true);
  });
});
