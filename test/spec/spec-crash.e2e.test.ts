import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listReceipts, nextReceiptNumber, openSpec, sha256 } from '../../src/spec/index.js';
import { GAFFER_BIN, runMain } from '../support/cli.js';
import { waitFor } from '../support/wait-for.js';
import { md, modelPerTest, newSpec, receipts, repoWithCode, REQUIREMENTS, specDir } from './spec-support.js';

const startModel = modelPerTest();

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

const EDITED = REQUIREMENTS.replace('throw an error', 'say "hello stranger"');
const SECOND = REQUIREMENTS.replace('feel welcome', 'feel at home');
const THIRD = REQUIREMENTS.replace('feel welcome', 'smile');

const phaseOf = async (repo: string, phase: string) => {
  const status = JSON.parse((await runMain(['spec', 'status', 'greet', '--json'], repo)).stdout) as {
    phases: { phase: string; state: string; edited: boolean; interrupted?: number }[];
  };
  return status.phases.find((p) => p.phase === phase)!;
};

describe('a spec run that was killed half-way', () => {
  it('never keeps over a hand edit in history/ when a run crashed before its receipt', async () => {
    const model = await startModel([md(REQUIREMENTS), md(THIRD)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    expect((await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo)).code).toBe(0);
    const dir = specDir(repo);
    // A person edits requirements.md; run 2 keeps that edit as history/2-requirements.md, writes
    // its answer, and is killed before its receipt (or receipts/ loses it).
    mkdirSync(join(dir, 'history'));
    writeFileSync(join(dir, 'requirements.md'), EDITED);
    renameSync(join(dir, 'requirements.md'), join(dir, 'history', '2-requirements.md'));
    writeFileSync(join(dir, 'requirements.md'), SECOND);
    expect(Object.keys(receipts(repo))).toEqual(['requirements-1.json']);

    const ran = await runMain(['spec', 'run', 'greet', '--phase', 'requirements', '--force'], repo);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(readFileSync(join(dir, 'history', '2-requirements.md'), 'utf8')).toBe(EDITED);
    const kept = join(dir, 'history', '3-requirements.md');
    expect(ran.stdout).toContain(`the previous version is kept as ${kept}\n`);
    expect(readFileSync(kept, 'utf8')).toBe(SECOND);
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(THIRD);
    expect(Object.keys(receipts(repo)).sort()).toEqual(['requirements-1.json', 'requirements-3.json']);
  }, 60_000);

  // Spawns the built binary (bin/gaffer.js → dist/): `npm run build` first.
  it('leaves its receipt reserved as running, with its inputs, before the model is asked; its number is never reused', async () => {
    const model = await startModel((request) =>
      request.index === 0 ? { hang: true } : { text: md(REQUIREMENTS) },
    );
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    child = spawn(process.execPath, [GAFFER_BIN, 'spec', 'run', 'greet'], { cwd: repo, stdio: 'ignore' });
    const killed = child;
    await waitFor(() => model.exchanges.length === 1, 'the run to ask the model');
    const feature = readFileSync(join(specDir(repo), 'feature.md'), 'utf8');
    const reserved = {
      status: 'running',
      number: 1,
      inputs: [{ name: 'feature.md', sha256: sha256(feature) }],
      output: null,
      rounds: 0,
    };
    expect(receipts(repo)['requirements-1.json']).toMatchObject(reserved);
    // While its process lives the phase is being written, not failed.
    expect(await phaseOf(repo, 'requirements')).toMatchObject({ state: 'missing' });
    expect((await phaseOf(repo, 'requirements')).interrupted).toBeUndefined();
    const gone = new Promise((resolve) => killed.once('exit', resolve));
    killed.kill('SIGKILL');
    await gone;
    // Once it is gone, the run was interrupted having written nothing.
    expect(await phaseOf(repo, 'requirements')).toMatchObject({ state: 'failed', interrupted: 1 });
    expect((await runMain(['spec', 'status', 'greet'], repo)).stdout).toContain(
      'run 1 was stopped before it finished (its process is gone)',
    );

    const spec = openSpec(repo, 'greet');
    expect(listReceipts(spec, 'requirements').map((r) => r.status)).toEqual(['running']);
    expect(nextReceiptNumber(spec, 'requirements')).toBe(2);
    const again = await runMain(['spec', 'run', 'greet', '--phase', 'requirements', '--force'], repo);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const all = receipts(repo);
    expect(all['requirements-1.json']).toMatchObject(reserved);
    expect(all['requirements-2.json']).toMatchObject({ status: 'ok', number: 2 });
    expect(listReceipts(spec, 'requirements').map((r) => [r.number, r.status])).toEqual([
      [1, 'running'],
      [2, 'ok'],
    ]);
  }, 60_000);

  it("records the output in the receipt before the artifact is written, so an artifact a crash leaves is known as the model's", async () => {
    const model = await startModel([md(REQUIREMENTS), md(SECOND)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    expect((await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo)).code).toBe(0);
    const dir = specDir(repo);
    // history/ as a link is refused when run 2 keeps the artifact it replaces: the run stops
    // between recording its output and writing it, as a kill there would.
    const outside = mkdtempSync(join(tmpdir(), 'spec-history-'));
    symlinkSync(outside, join(dir, 'history'));
    const ran = await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('history is a symbolic link');
    expect(readFileSync(join(dir, 'requirements.md'), 'utf8')).toBe(REQUIREMENTS);
    expect(receipts(repo)['requirements-2.json']).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('history is a symbolic link') as string,
      output: { file: 'requirements.md', sha256: sha256(SECOND) },
    });
    expect(existsSync(join(outside, '2-requirements.md'))).toBe(false);
  }, 60_000);

  it('reads the files a kill after the artifact write leaves: the running receipt names that artifact, and the next run takes another number', async () => {
    const model = await startModel([md(REQUIREMENTS), md(THIRD)]);
    const repo = repoWithCode();
    await newSpec(repo, model.baseURL);
    expect((await runMain(['spec', 'run', 'greet', '--phase', 'requirements'], repo)).code).toBe(0);
    const dir = specDir(repo);
    const first = receipts(repo)['requirements-1.json']!;
    // Run 2 recorded its output, kept the artifact it replaced and wrote its own: then it was killed.
    mkdirSync(join(dir, 'history'));
    renameSync(join(dir, 'requirements.md'), join(dir, 'history', '2-requirements.md'));
    writeFileSync(join(dir, 'requirements.md'), SECOND);
    const output = { file: 'requirements.md', sha256: sha256(SECOND), chars: SECOND.length, maxChars: 60000 };
    writeFileSync(
      join(dir, 'receipts', 'requirements-2.json'),
      JSON.stringify({ ...first, number: 2, status: 'running', output, rounds: 1 }),
    );
    const spec = openSpec(repo, 'greet');
    const listed = listReceipts(spec, 'requirements');
    expect(listed.map((r) => [r.number, r.status])).toEqual([
      [1, 'ok'],
      [2, 'running'],
    ]);
    expect(listed.findLast((r) => r.status === 'ok')?.number).toBe(1);
    expect(listed[1]!.output?.sha256).toBe(sha256(readFileSync(join(dir, 'requirements.md'), 'utf8')));
    expect(nextReceiptNumber(spec, 'requirements')).toBe(3);
    // The artifact is exactly what run 2 recorded: the model's output, not a person's edit.
    expect(await phaseOf(repo, 'requirements')).toMatchObject({
      state: 'done',
      edited: false,
      interrupted: 2,
    });
    const shown = (await runMain(['spec', 'status', 'greet'], repo)).stdout;
    expect(shown).toContain(
      'run 2 was stopped before it finished (its process is gone); requirements.md is what it wrote',
    );
    expect(shown).not.toContain('edited by hand');

    const ran = await runMain(['spec', 'run', 'greet', '--phase', 'requirements', '--force'], repo);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`kept as ${join(dir, 'history', '3-requirements.md')}`);
    expect(readFileSync(join(dir, 'history', '2-requirements.md'), 'utf8')).toBe(REQUIREMENTS);
    expect(readFileSync(join(dir, 'history', '3-requirements.md'), 'utf8')).toBe(SECOND);
    // The interrupted run's receipt is left as the crash left it.
    expect(receipts(repo)['requirements-2.json']).toMatchObject({ status: 'running', output });
  }, 60_000);
});
