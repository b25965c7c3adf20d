import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskBranchName } from '../../src/git/index.js';
import { demoWorktree, exists, makeRepo, rejection, type TestRepo } from './helpers.js';

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

describe('addWorktree', () => {
  it('creates parent directories, the branch at fromCommit, and checks it out', async () => {
    const branch = taskBranchName('demo', 't1');
    await t.repo.addWorktree(wtPath('t1'), branch, base);
    expect(await t.read('src/app.txt', wtPath('t1'))).toBe('one\ntwo\nthree\n');
    expect(t.git(['rev-parse', '--abbrev-ref', 'HEAD'], wtPath('t1'))).toBe(branch);
    expect(t.git(['rev-parse', branch])).toBe(base);
    expect(await t.repo.listWorktrees()).toEqual([
      { path: t.dir, branch: 'main', head: base },
      { path: wtPath('t1'), branch, head: base },
    ]);
  });

  it('does nothing when the worktree already exists on that branch (resume)', async () => {
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    await writeFile(join(wtPath('t1'), 'work.txt'), 'in progress\n');
    const later = await t.commit({ 'later.txt': 'x' }, 'later');
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', later);
    expect(await t.read('work.txt', wtPath('t1'))).toBe('in progress\n');
    expect(t.git(['rev-parse', 'task/t1'])).toBe(base);
  });

  it('checks out an existing branch when only the worktree is missing, keeping its commits', async () => {
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    const work = await t.commit({ 'work.txt': 'done\n' }, 'work', wtPath('t1'));
    await t.repo.removeWorktree(wtPath('t1'));
    expect(await exists(wtPath('t1'))).toBe(false);
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    expect(t.git(['rev-parse', 'HEAD'], wtPath('t1'))).toBe(work);
    expect(await t.read('work.txt', wtPath('t1'))).toBe('done\n');
  });

  it('replaces a leftover directory that is not a registered worktree (crash mid-add)', async () => {
    await mkdir(wtPath('t1'), { recursive: true });
    await writeFile(join(wtPath('t1'), 'junk.txt'), 'half written');
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    expect(await exists(join(wtPath('t1'), 'junk.txt'))).toBe(false);
    expect(await t.read('README.md', wtPath('t1'))).toBe('# demo\n');
  });

  it('re-adds a worktree whose directory vanished while still registered', async () => {
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    await rm(wtPath('t1'), { recursive: true, force: true });
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    expect(await t.read('README.md', wtPath('t1'))).toBe('# demo\n');
  });

  it('redoes a worktree that git left locked as "initializing" (crash during checkout)', async () => {
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    const adminDir = t.git(['rev-parse', '--git-dir'], wtPath('t1'));
    await writeFile(join(adminDir, 'locked'), 'initializing');
    await rm(join(wtPath('t1'), 'README.md'));
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    expect(await t.read('README.md', wtPath('t1'))).toBe('# demo\n');
    expect(t.git(['worktree', 'list', '--porcelain'])).not.toContain('locked');
  });

  it('refuses a path that is a worktree on another branch, and an invalid branch name', async () => {
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    const error = await rejection(t.repo.addWorktree(wtPath('t1'), 'task/other', base));
    expect(error).toMatchObject({ code: 'GAFFER_GIT' });
    expect(String(error)).toContain('task/t1');
    await expect(t.repo.addWorktree(wtPath('t2'), 'bad name', base)).rejects.toMatchObject({
      code: 'GAFFER_INVALID_BRANCH',
    });
    await expect(t.repo.addWorktree(t.dir, 'task/t3', base)).rejects.toMatchObject({
      code: 'GAFFER_INVALID_PATH',
    });
  });

  it('12 parallel adds on one repository all succeed', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `t${i}`);
    await Promise.all(ids.map((id) => t.repo.addWorktree(wtPath(id), taskBranchName('demo', id), base)));
    const worktrees = await t.repo.listWorktrees();
    expect(worktrees).toHaveLength(13);
    for (const id of ids) {
      expect(worktrees).toContainEqual({ path: wtPath(id), branch: taskBranchName('demo', id), head: base });
      expect(await t.read('README.md', wtPath(id))).toBe('# demo\n');
    }
  });
});

describe('removeWorktree', () => {
  it('removes a worktree with local changes, optionally its branch, and is quiet when already gone', async () => {
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    await writeFile(join(wtPath('t1'), 'dirty.txt'), 'x');
    await t.repo.removeWorktree(wtPath('t1'), { deleteBranch: 'task/t1' });
    expect(await exists(wtPath('t1'))).toBe(false);
    expect(await t.repo.branchExists('task/t1')).toBe(false);
    expect(await t.repo.listWorktrees()).toHaveLength(1);
    await t.repo.removeWorktree(wtPath('t1'), { deleteBranch: 'task/t1' });
  });

  it('keeps the branch unless asked', async () => {
    await t.repo.addWorktree(wtPath('t1'), 'task/t1', base);
    await t.repo.removeWorktree(wtPath('t1'));
    expect(await t.repo.branchExists('task/t1')).toBe(true);
  });
});
