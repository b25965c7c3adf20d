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

/** A task branch with one commit made in its own worktree. */
async function task(id: string, files: Record<string, string>, from = base) {
  const branch = taskBranchName('demo', id);
  await t.repo.addWorktree(wtPath(id), branch, from);
  const head = await t.commit(files, `task ${id}`, wtPath(id));
  return { branch, head, wt: wtPath(id) };
}

describe('mergeBranch', () => {
  it('merges with a two-parent commit without touching the main checkout', async () => {
    await writeFile(join(t.dir, 'README.md'), 'uncommitted user edit\n');
    const a = await task('a', { 'a.txt': 'a\n' });
    const b = await task('b', { 'b.txt': 'b\n' });
    const first = await t.repo.mergeBranch(integration, a.branch, 'Merge task a');
    expect(first).toMatchObject({ ok: true, alreadyMerged: false });
    const second = await t.repo.mergeBranch(integration, b.branch, 'Merge task b');
    if (!second.ok || !first.ok) throw new Error('expected clean merges');
    expect(t.git(['rev-parse', integration])).toBe(second.commit);
    expect(t.git(['rev-list', '--parents', '-n1', second.commit]).split(' ')).toEqual([
      second.commit,
      first.commit,
      b.head,
    ]);
    expect(t.git(['log', '-1', '--format=%s', second.commit])).toBe('Merge task b');
    expect(t.git(['ls-tree', '-r', '--name-only', integration]).split('\n').sort()).toEqual([
      'README.md',
      'a.txt',
      'b.txt',
      'src/app.txt',
    ]);
    // The user's checkout: same branch, same HEAD, same uncommitted edit.
    expect(t.git(['rev-parse', 'HEAD'])).toBe(base);
    expect(await t.read('README.md')).toBe('uncommitted user edit\n');
    expect(t.git(['status', '--porcelain'])).toBe('M README.md');
  });

  it('reports an already merged source without creating a commit', async () => {
    const a = await task('a', { 'a.txt': 'a\n' });
    const merged = await t.repo.mergeBranch(integration, a.branch, 'Merge a');
    if (!merged.ok) throw new Error('expected a clean merge');
    expect(await t.repo.mergeBranch(integration, a.branch, 'Merge a again')).toEqual({
      ok: true,
      commit: merged.commit,
      alreadyMerged: true,
    });
    expect(t.git(['rev-parse', integration])).toBe(merged.commit);
  });

  it('squashes a task into one single-parent commit, and knows it merged when asked again', async () => {
    const a = await task('a', { 'a.txt': 'a\n' });
    await t.commit({ 'a2.txt': 'more\n' }, 'task a, second commit', a.wt);
    const squashed = await t.repo.mergeBranch(integration, a.branch, 'Task a', { squash: true });
    if (!squashed.ok) throw new Error('expected a clean merge');
    expect(t.git(['rev-list', '--parents', '-n1', squashed.commit]).split(' ')).toEqual([
      squashed.commit,
      base,
    ]);
    expect(t.git(['rev-list', '--count', `${base}..${integration}`])).toBe('1');
    expect(t.git(['ls-tree', '-r', '--name-only', integration]).split('\n')).toEqual(
      expect.arrayContaining(['a.txt', 'a2.txt']),
    );
    // After a crash between the merge and its record, the same merge again changes nothing.
    expect(await t.repo.mergeBranch(integration, a.branch, 'Task a', { squash: true })).toEqual({
      ok: true,
      commit: squashed.commit,
      alreadyMerged: true,
    });
    expect(t.git(['rev-parse', integration])).toBe(squashed.commit);
  });

  it('returns the conflicting paths and changes nothing on conflict', async () => {
    const a = await task('a', { 'src/app.txt': 'one\nA\nthree\n', 'a-only.txt': 'a' });
    const b = await task('b', { 'src/app.txt': 'one\nB\nthree\n', 'README.md': '# b\n' });
    const first = await t.repo.mergeBranch(integration, a.branch, 'Merge a');
    if (!first.ok) throw new Error('expected a clean merge');
    const statusBefore = t.git(['status', '--porcelain']);
    expect(await t.repo.mergeBranch(integration, b.branch, 'Merge b')).toEqual({
      ok: false,
      conflicts: ['src/app.txt'],
    });
    expect(t.git(['rev-parse', integration])).toBe(first.commit);
    expect(t.git(['rev-parse', 'HEAD'])).toBe(base);
    expect(t.git(['status', '--porcelain'])).toBe(statusBefore);
  });

  it('refuses a target checked out in a worktree', async () => {
    const a = await task('a', { 'a.txt': 'a\n' });
    await expect(t.repo.mergeBranch('main', a.branch, 'Merge a into main')).rejects.toMatchObject({
      code: 'GAFFER_GIT',
    });
    expect(t.git(['rev-parse', 'main'])).toBe(base);
  });

  it('serialises concurrent merges into one branch so none is lost', async () => {
    const tasks = await Promise.all(['a', 'b', 'c', 'd'].map((id) => task(id, { [`${id}.txt`]: id })));
    const results = await Promise.all(
      tasks.map((x) => t.repo.mergeBranch(integration, x.branch, `Merge ${x.branch}`)),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    for (const x of tasks) expect(await t.repo.isAncestor(x.head, integration)).toBe(true);
  });
});

describe('rebase', () => {
  it('replays the worktree branch onto a newer commit', async () => {
    const a = await task('a', { 'a.txt': 'a\n' });
    const onto = await t.commit({ 'main.txt': 'm\n' }, 'main moved on');
    const result = await t.repo.rebase(a.wt, 'main');
    if (!result.ok) throw new Error('expected a clean rebase');
    expect(result.head).toBe(t.git(['rev-parse', a.branch]));
    expect(t.git(['rev-parse', `${result.head}^`])).toBe(onto);
    expect(await t.read('main.txt', a.wt)).toBe('m\n');
    expect(await t.read('a.txt', a.wt)).toBe('a\n');
  });

  it('aborts on conflict, returns the paths, and leaves the worktree as it was', async () => {
    const a = await task('a', { 'src/app.txt': 'one\nA\nthree\n' });
    await t.commit({ 'src/app.txt': 'one\nMAIN\nthree\n' }, 'conflicting');
    expect(await t.repo.rebase(a.wt, 'main')).toEqual({ ok: false, conflicts: ['src/app.txt'] });
    expect(t.git(['rev-parse', 'HEAD'], a.wt)).toBe(a.head);
    expect(t.git(['rev-parse', '--abbrev-ref', 'HEAD'], a.wt)).toBe(a.branch);
    expect(t.git(['status', '--porcelain'], a.wt)).toBe('');
    expect(await t.read('src/app.txt', a.wt)).toBe('one\nA\nthree\n');
  });

  it('works without a configured identity', async () => {
    t.git(['config', '--unset', 'user.name']);
    t.git(['config', '--unset', 'user.email']);
    const a = await task('a', { 'a.txt': 'a\n' });
    await t.commit({ 'main.txt': 'm\n' }, 'main moved on');
    const result = await t.repo.rebase(a.wt, 'main');
    expect(result.ok).toBe(true);
    expect(t.git(['log', '-1', '--format=%cn <%ce>', a.branch])).toBe('Gaffer <gaffer@localhost>');
    const merged = await t.repo.mergeBranch(integration, a.branch, 'Merge a');
    if (!merged.ok) throw new Error('expected a clean merge');
    expect(t.git(['log', '-1', '--format=%an <%ae>', merged.commit])).toBe('Gaffer <gaffer@localhost>');
  });
});

describe('resetHard', () => {
  it('puts the worktree back at a commit and drops untracked files', async () => {
    const a = await task('a', { 'a.txt': 'a\n' });
    await writeFile(join(a.wt, 'README.md'), 'dirty\n');
    await writeFile(join(a.wt, 'stray.txt'), 'stray\n');
    await t.repo.resetHard(a.wt, base);
    expect(t.git(['rev-parse', 'HEAD'], a.wt)).toBe(base);
    expect(t.git(['status', '--porcelain', '--untracked-files=all'], a.wt)).toBe('');
    expect(t.git(['rev-parse', '--abbrev-ref', 'HEAD'], a.wt)).toBe(a.branch);
  });
});
