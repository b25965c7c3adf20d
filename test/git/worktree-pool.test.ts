import { mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskBranchName } from '../../src/git/index.js';
import { demoWorktree, exists, makeRepo, type TestRepo } from './helpers.js';

let t: TestRepo;
let base: string;
beforeEach(async () => {
  t = await makeRepo();
  base = t.git(['rev-parse', 'HEAD']);
});
afterEach(async () => {
  await t.cleanup();
});

const wtPath = (task: string) => demoWorktree(t, task);
const poolDir = () => join(t.dir, '.gaffer', 'worktrees', '.pool');
/** The name of the worktree's entry under .git/worktrees/: it stays with the directory when git moves it. */
const entryOf = (path: string) => t.git(['rev-parse', '--git-dir'], path).split('/').at(-1);

describe('the worktree pool', () => {
  it('reuses a passed task’s worktree for the next task: moved, cleaned of untracked and ignored files, switched', async () => {
    await t.repo.addWorktree(wtPath('t1'), taskBranchName('demo', 't1'), base);
    const entry = entryOf(wtPath('t1'));
    await writeFile(join(wtPath('t1'), 'scratch.txt'), 'left by t1\n');
    await mkdir(join(wtPath('t1'), 'node_modules', 'x'), { recursive: true });
    await writeFile(join(wtPath('t1'), '.gitignore'), 'node_modules/\n');
    await t.repo.retireWorktree(wtPath('t1'), 2);
    expect(await exists(wtPath('t1'))).toBe(false);
    expect(await readdir(poolDir())).toEqual(['1']);
    // The task's branch is free again: the pooled worktree is detached.
    expect(t.git(['worktree', 'list', '--porcelain'])).toContain(
      `worktree ${join(poolDir(), '1')}\nHEAD ${base}\ndetached`,
    );

    const later = await t.commit({ 'later.txt': 'new\n', 'src/app.txt': 'changed\n' }, 'later');
    const branch = taskBranchName('demo', 't2');
    // True: it wrote the worktree's files; false once it is there on its branch.
    expect(await t.repo.addWorktree(wtPath('t2'), branch, later)).toBe(true);
    expect(await t.repo.addWorktree(wtPath('t2'), branch, later)).toBe(false);
    expect(entryOf(wtPath('t2'))).toBe(entry);
    expect(await readdir(poolDir())).toEqual([]);
    expect(t.git(['rev-parse', '--abbrev-ref', 'HEAD'], wtPath('t2'))).toBe(branch);
    expect(t.git(['rev-parse', branch])).toBe(later);
    expect(await t.read('src/app.txt', wtPath('t2'))).toBe('changed\n');
    expect(await t.read('later.txt', wtPath('t2'))).toBe('new\n');
    expect(await exists(join(wtPath('t2'), 'scratch.txt'))).toBe(false);
    expect(await exists(join(wtPath('t2'), 'node_modules'))).toBe(false);
    expect(t.git(['status', '--porcelain'], wtPath('t2'))).toBe('');
  });

  it('keeps at most poolSize worktrees: the rest are removed', async () => {
    for (const task of ['t1', 't2', 't3'])
      await t.repo.addWorktree(wtPath(task), taskBranchName('demo', task), base);
    for (const task of ['t1', 't2', 't3']) await t.repo.retireWorktree(wtPath(task), 2);
    expect((await readdir(poolDir())).sort()).toEqual(['1', '2']);
    expect(await t.repo.listWorktrees()).toHaveLength(3);
    // The third is off git's list at once (its branch free to delete); its files go meanwhile.
    expect(await exists(wtPath('t3'))).toBe(false);
    t.git(['branch', '-D', taskBranchName('demo', 't3')]);
    await t.repo.drainWorktreePool();
    expect(await exists(join(t.dir, '.gaffer', 'worktrees', '.trash'))).toBe(false);
  });

  it('gives one pooled worktree to one attempt only, when two start at once', async () => {
    await t.repo.addWorktree(wtPath('t1'), taskBranchName('demo', 't1'), base);
    await t.repo.retireWorktree(wtPath('t1'), 4);
    await Promise.all(
      ['a', 'b'].map((task) => t.repo.addWorktree(wtPath(task), taskBranchName('demo', task), base)),
    );
    expect(new Set([entryOf(wtPath('a')), entryOf(wtPath('b'))]).size).toBe(2);
    for (const task of ['a', 'b'])
      expect(t.git(['rev-parse', '--abbrev-ref', 'HEAD'], wtPath(task))).toBe(taskBranchName('demo', task));
  });

  it('finishes a claim that a crash stopped before the switch (moved, still detached)', async () => {
    await t.repo.addWorktree(wtPath('t1'), taskBranchName('demo', 't1'), base);
    await writeFile(join(wtPath('t1'), 'scratch.txt'), 'left by t1\n');
    await t.repo.retireWorktree(wtPath('t1'), 2);
    await mkdir(join(t.dir, '.gaffer', 'worktrees', 'demo'), { recursive: true });
    t.git(['worktree', 'move', join(poolDir(), '1'), wtPath('t2')]);
    await t.repo.addWorktree(wtPath('t2'), taskBranchName('demo', 't2'), base);
    expect(t.git(['rev-parse', '--abbrev-ref', 'HEAD'], wtPath('t2'))).toBe(taskBranchName('demo', 't2'));
    expect(await exists(join(wtPath('t2'), 'scratch.txt'))).toBe(false);
  });

  it('writes the files of a worktree that a crash left registered but not checked out', async () => {
    await mkdir(join(t.dir, '.gaffer', 'worktrees', 'demo'), { recursive: true });
    const branch = taskBranchName('demo', 't1');
    t.git(['worktree', 'add', '--quiet', '--no-checkout', '-b', branch, wtPath('t1'), base]);
    await t.repo.addWorktree(wtPath('t1'), branch, base);
    expect(await t.read('src/app.txt', wtPath('t1'))).toBe('one\ntwo\nthree\n');
    expect(t.git(['status', '--porcelain'], wtPath('t1'))).toBe('');
  });

  it('skips a pooled worktree whose directory was replaced by a symlink, and adds a fresh one', async () => {
    await t.repo.addWorktree(wtPath('t1'), taskBranchName('demo', 't1'), base);
    await t.repo.retireWorktree(wtPath('t1'), 2);
    // Moved away behind git's back, a symlink in its place: git still lists it in the pool.
    const outside = await mkdtemp(join(tmpdir(), 'gaffer-pool-outside-'));
    try {
      await rename(join(poolDir(), '1'), join(outside, 'moved'));
      await symlink(join(outside, 'moved'), join(poolDir(), '1'));
      await writeFile(join(outside, 'moved', 'precious.txt'), 'not Gaffer’s\n');
      await t.repo.addWorktree(wtPath('t2'), taskBranchName('demo', 't2'), base);
      expect(await t.read('src/app.txt', wtPath('t2'))).toBe('one\ntwo\nthree\n');
      expect(await t.read('precious.txt', join(outside, 'moved'))).toBe('not Gaffer’s\n');
      expect(await exists(join(poolDir(), '1'))).toBe(true);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('is drained by clean: every pooled worktree removed, the others kept', async () => {
    for (const task of ['t1', 't2'])
      await t.repo.addWorktree(wtPath(task), taskBranchName('demo', task), base);
    await t.repo.retireWorktree(wtPath('t1'), 2);
    expect(await t.repo.drainWorktreePool()).toEqual([join(poolDir(), '1')]);
    expect(await readdir(poolDir())).toEqual([]);
    expect((await t.repo.listWorktrees()).map((w) => w.path)).toEqual([t.dir, wtPath('t2')]);
  });

  it('keeps what the setup installed (the keep patterns) when it reuses a worktree, and cleans the rest', async () => {
    await t.repo.addWorktree(wtPath('t1'), taskBranchName('demo', 't1'), base);
    await mkdir(join(wtPath('t1'), 'node_modules', 'dep'), { recursive: true });
    await writeFile(join(wtPath('t1'), 'node_modules', 'dep', 'index.js'), 'installed\n');
    await writeFile(join(wtPath('t1'), 'scratch.txt'), 'left by t1\n');
    await t.repo.retireWorktree(wtPath('t1'), 2);
    await t.repo.addWorktree(wtPath('t2'), taskBranchName('demo', 't2'), base, { keep: ['node_modules'] });
    expect(await t.read('node_modules/dep/index.js', wtPath('t2'))).toBe('installed\n');
    expect(await exists(join(wtPath('t2'), 'scratch.txt'))).toBe(false);
  });
});
