import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskBranchName } from '../../src/git/index.js';
import { readLinkedWorktrees } from '../../src/git/linked-worktrees.js';
import { addWorktree } from '../../src/git/worktrees.js';
import { demoWorktree, makeRepo, recordingGit, type TestRepo } from './helpers.js';

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
const entryDir = (path: string) => t.git(['rev-parse', '--absolute-git-dir'], path);

/** The linked worktrees as `git worktree list --porcelain -z` shows them (the main one left out). */
function listedByGit(): { path: string; branch: string | undefined; locked: string | undefined }[] {
  const blocks = t.git(['worktree', 'list', '--porcelain', '-z']).split('\0\0').slice(1);
  return blocks
    .filter((block) => block !== '')
    .map((block) => {
      const fields = new Map(
        block.split('\0').map((field) => {
          const space = field.indexOf(' ');
          return space === -1 ? [field, ''] : [field.slice(0, space), field.slice(space + 1)];
        }),
      );
      return {
        path: fields.get('worktree') ?? '',
        branch: fields.get('branch')?.replace(/^refs\/heads\//, ''),
        locked: fields.get('locked'),
      };
    });
}

describe('the linked worktrees read from git’s files', () => {
  it('are what git lists: on a branch, detached in the pool, locked with and without a reason, in git’s order', async () => {
    for (const task of ['t3', 't1', 't2', 't4'])
      await addWorktree(t.repo, wtPath(task), taskBranchName('demo', task), base);
    await t.repo.retireWorktree(wtPath('t2'), 2);
    t.git(['worktree', 'lock', '--reason', 'kept for a look', wtPath('t3')]);
    t.git(['worktree', 'lock', wtPath('t4')]);
    const fromFiles = await readLinkedWorktrees(join(t.dir, '.git'));
    expect(fromFiles?.map((w) => w.prunable)).toEqual([false, false, false, false]);
    expect(fromFiles?.map(({ path, branch, locked }) => ({ path, branch, locked }))).toEqual(listedByGit());
    expect(fromFiles?.some((w) => w.branch === undefined && w.path.includes('.pool'))).toBe(true);
  });

  it('hand over to git for an entry whose directory is gone or whose files git did not write', async () => {
    await addWorktree(t.repo, wtPath('t1'), taskBranchName('demo', 't1'), base);
    await addWorktree(t.repo, wtPath('t2'), taskBranchName('demo', 't2'), base);
    const entry = entryDir(wtPath('t2'));
    await writeFile(join(entry, 'HEAD'), 'ref: elsewhere\n');
    expect(await readLinkedWorktrees(join(t.dir, '.git'))).toBeUndefined();
    await writeFile(join(entry, 'HEAD'), `ref: refs/heads/${taskBranchName('demo', 't2')}\n`);
    expect(await readLinkedWorktrees(join(t.dir, '.git'))).toBeDefined();
    await writeFile(join(entry, 'gitdir'), 'relative/.git\n');
    expect(await readLinkedWorktrees(join(t.dir, '.git'))).toBeUndefined();
    await writeFile(join(entry, 'gitdir'), `${join(wtPath('t2'), '.git')}\n`);
    await rm(wtPath('t1'), { recursive: true, force: true });
    expect(await readLinkedWorktrees(join(t.dir, '.git'))).toBeUndefined();
    // git then prunes the stale entry and adds the worktree again.
    await addWorktree(t.repo, wtPath('t1'), taskBranchName('demo', 't1'), base);
    expect(await t.read('README.md', wtPath('t1'))).toBe('# demo\n');
  });

  it('let a task take a pooled worktree without `git worktree list`', async () => {
    await addWorktree(t.repo, wtPath('t1'), taskBranchName('demo', 't1'), base);
    await t.repo.retireWorktree(wtPath('t1'), 2);
    const { repo, calls } = recordingGit(t.repo);
    expect(await addWorktree(repo, wtPath('t2'), taskBranchName('demo', 't2'), base)).toBe(true);
    expect(calls.map((args) => args.slice(0, 2).join(' '))).not.toContain('worktree list');
    expect(calls.map((args) => args.slice(0, 2).join(' '))).toContain('worktree move');
    expect(t.git(['rev-parse', '--abbrev-ref', 'HEAD'], wtPath('t2'))).toBe(taskBranchName('demo', 't2'));
  });
});
