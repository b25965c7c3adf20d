import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { integrationBranchName, taskBranchName } from '../../src/git/index.js';
import { makeRepo, type TestRepo } from './helpers.js';

let t: TestRepo;
let base: string;
const integration = integrationBranchName('demo');
const wtPath = (task: string) => join(t.dir, '.gaffer', 'worktrees', 'demo', task);

beforeEach(async () => {
  t = await makeRepo();
  base = t.git(['rev-parse', 'HEAD']);
  await t.repo.ensureBranch(integration, base);
  await t.repo.ignoreGafferDir();
});
afterEach(async () => {
  await t.cleanup();
});

/** A task's branch with one commit, merged into the integration branch (squash or not); the merge commit. */
async function merged(id: string, files: Record<string, string>, squash = true): Promise<string> {
  const branch = taskBranchName('demo', id);
  await t.repo.addWorktree(wtPath(id), branch, base);
  await t.commit(files, `task ${id}`, wtPath(id));
  const result = await t.repo.mergeBranch(integration, branch, `merge ${id}`, { squash });
  if (!result.ok) throw new Error(`merging ${id} conflicted`);
  return result.commit;
}

/** Another task's merge on top, so a take-out must revert. */
const mergedOnTop = () => merged('top', { 'top.txt': 'top\n' });

const show = (path: string) => t.git(['show', `${integration}:${path}`]);
const count = () => Number(t.git(['rev-list', '--count', '--first-parent', integration]));

describe('takeOutMerge', () => {
  it('resets the branch to the commit before the merge when nothing sits on top', async () => {
    const a = await merged('a', { 'a.txt': 'a\n' });
    const b = await merged('b', { 'b.txt': 'b\n' });
    expect(await t.repo.takeOutMerge(integration, b, 'take out b')).toEqual({
      ok: true,
      how: 'reset',
      head: a,
    });
    expect(t.git(['rev-parse', integration])).toBe(a);
    // Again (a crash before it was recorded): nothing changes.
    expect(await t.repo.takeOutMerge(integration, b, 'take out b')).toEqual({
      ok: true,
      how: 'reset',
      head: a,
    });
    expect(t.git(['rev-parse', integration])).toBe(a);
  });

  it('adds one revert commit, keeping the later merges, when merges sit on top; repeated, it adds none', async () => {
    const a = await merged('a', { 'a.txt': 'a\n', 'shared.txt': 'from a\n' });
    const b = await merged('b', { 'b.txt': 'b\n' });
    const out = await t.repo.takeOutMerge(integration, a, 'take out a');
    expect(out).toMatchObject({ ok: true, how: 'revert' });
    if (!out.ok) throw new Error('expected a revert');
    expect(t.git(['rev-parse', `${out.head}^`])).toBe(b);
    expect(t.git(['log', '-1', '--format=%B', integration])).toContain(`Gaffer-Reverts: ${a}`);
    expect(() => show('a.txt')).toThrow();
    expect(() => show('shared.txt')).toThrow();
    expect(show('b.txt')).toBe('b');
    const commits = count();
    expect(await t.repo.takeOutMerge(integration, a, 'take out a')).toEqual({
      ok: true,
      how: 'revert',
      head: out.head,
    });
    expect(count()).toBe(commits);
  });

  it('takes out and puts back files that are not UTF-8, byte for byte', async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café\n" in Latin-1
    const branch = taskBranchName('demo', 'l');
    await t.repo.addWorktree(wtPath('l'), branch, base);
    await writeFile(join(wtPath('l'), 'l.txt'), latin1);
    t.git(['add', 'l.txt'], wtPath('l'));
    t.git(['commit', '-q', '-m', 'task l'], wtPath('l'));
    const merged = await t.repo.mergeBranch(integration, branch, 'merge l', { squash: true });
    if (!merged.ok) throw new Error('l conflicted');
    await mergedOnTop();
    const out = await t.repo.takeOutMerge(integration, merged.commit, 'take out l');
    expect(out).toMatchObject({ ok: true, how: 'revert' });
    if (!out.ok) throw new Error('expected a revert');
    expect(() => show('l.txt')).toThrow();
    const again = await t.repo.reapplyMerge(merged.commit, out.head, 'l again');
    if (!again.ok)
      throw new Error(`expected a clean reapply, got conflicts in ${again.conflicts.join(', ')}`);
    const blob = t.git(['rev-parse', `${again.commit}:l.txt`]);
    expect(blob).toBe(t.git(['rev-parse', `${merged.commit}:l.txt`]));
  });

  it('takes out a two-parent merge the same way', async () => {
    const a = await merged('a', { 'a.txt': 'a\n' }, false);
    await merged('b', { 'b.txt': 'b\n' }, false);
    expect(await t.repo.takeOutMerge(integration, a, 'take out a')).toMatchObject({
      ok: true,
      how: 'revert',
    });
    expect(() => show('a.txt')).toThrow();
    expect(show('b.txt')).toBe('b');
  });

  it('reports the paths and changes nothing when later merges changed the same lines', async () => {
    const a = await merged('a', { 'shared.txt': 'from a\n' });
    // b builds on a's line (forked after a merged), so undoing a would undo part of b.
    const branch = taskBranchName('demo', 'b');
    await t.repo.addWorktree(wtPath('b'), branch, a);
    await t.commit({ 'shared.txt': 'from a, then b\n' }, 'task b', wtPath('b'));
    const b = await t.repo.mergeBranch(integration, branch, 'merge b', { squash: true });
    if (!b.ok) throw new Error('b conflicted');
    expect(await t.repo.takeOutMerge(integration, a, 'take out a')).toEqual({
      ok: false,
      conflicts: ['shared.txt'],
    });
    expect(t.git(['rev-parse', integration])).toBe(b.commit);
  });
});

describe('reapplyMerge', () => {
  it("puts a taken-out merge's changes on top of the new head, as one commit, moving no ref", async () => {
    const a = await merged('a', { 'a.txt': 'a\n' });
    const b = await merged('b', { 'b.txt': 'b\n' });
    const out = await t.repo.takeOutMerge(integration, a, 'take out a');
    if (!out.ok) throw new Error('expected a revert');
    const again = await t.repo.reapplyMerge(a, out.head, 'a again');
    if (!again.ok) throw new Error('expected a clean reapply');
    expect(t.git(['rev-parse', integration])).toBe(out.head);
    expect(t.git(['rev-parse', `${again.commit}^`])).toBe(out.head);
    expect(t.git(['show', `${again.commit}:a.txt`])).toBe('a');
    expect(t.git(['show', `${again.commit}:b.txt`])).toBe('b');
    expect(b).not.toBe(again.commit);
  });
});
