import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GafferError } from '../../src/domain/index.js';
import { GitError, integrationBranchName, openRepo, taskBranchName } from '../../src/git/index.js';
import { makeRepo, rejection, type TestRepo } from './helpers.js';

let t: TestRepo;
beforeEach(async () => {
  t = await makeRepo();
});
afterEach(async () => {
  await t.cleanup();
});

describe('openRepo', () => {
  it('refuses a directory outside any repository with a user error and a git init hint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gaffer-norepo-'));
    try {
      const error = await rejection(openRepo(dir, { env: { GIT_CEILING_DIRECTORIES: tmpdir() } }));
      expect(GafferError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'GAFFER_NOT_A_REPO', userError: true });
      expect((error as GafferError).hint).toContain('git init');
      const missing = await rejection(openRepo(join(dir, 'nope')));
      expect(missing).toMatchObject({ code: 'GAFFER_NOT_A_REPO' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses the .git directory itself', async () => {
    await expect(openRepo(join(t.dir, '.git'), { env: t.env })).rejects.toMatchObject({
      code: 'GAFFER_NOT_A_REPO',
    });
  });

  it('resolves the main top-level from a subdirectory and from a linked worktree', async () => {
    expect((await openRepo(join(t.dir, 'src'), { env: t.env })).root).toBe(t.dir);
    const wt = join(t.dir, '.gaffer', 'worktrees', 'r', 't1');
    await t.repo.addWorktree(wt, 'topic', 'main');
    expect((await openRepo(wt, { env: t.env })).root).toBe(t.dir);
  });
});

describe('refs', () => {
  it('reports the current branch, undefined when detached', async () => {
    expect(await t.repo.currentBranch()).toBe('main');
    t.git(['checkout', '-q', '--detach']);
    expect(await t.repo.currentBranch()).toBeUndefined();
  });

  it('resolves commits and returns undefined for unknown or option-like refs', async () => {
    const head = t.git(['rev-parse', 'HEAD']);
    expect(await t.repo.resolveCommit('main')).toBe(head);
    expect(await t.repo.resolveCommit('HEAD')).toBe(head);
    expect(await t.repo.resolveCommit('nope')).toBeUndefined();
    expect(await t.repo.resolveCommit('--all')).toBeUndefined();
  });

  it('ensureBranch creates once, then leaves an existing branch where it is', async () => {
    const first = t.git(['rev-parse', 'HEAD']);
    const second = await t.commit({ 'b.txt': 'b\n' }, 'second');
    expect(await t.repo.branchExists('keep')).toBe(false);
    expect(await t.repo.ensureBranch('keep', first)).toBe(first);
    expect(await t.repo.branchExists('keep')).toBe(true);
    expect(await t.repo.ensureBranch('keep', second)).toBe(first);
    expect(t.git(['rev-parse', 'refs/heads/keep'])).toBe(first);
    await expect(t.repo.ensureBranch('bad..name', first)).rejects.toMatchObject({
      code: 'GAFFER_INVALID_BRANCH',
    });
  });

  it('integration and task branch names of one run coexist in a real repository', async () => {
    const head = t.git(['rev-parse', 'HEAD']);
    const names = [
      integrationBranchName('demo'),
      taskBranchName('demo', 't1'),
      taskBranchName('demo', 'api.2'),
    ];
    for (const name of names) await t.repo.ensureBranch(name, head);
    for (const name of names) expect(await t.repo.branchExists(name)).toBe(true);
    expect(t.git(['branch', '--list', 'gaffer*', '--format=%(refname:short)']).split('\n').sort()).toEqual(
      names.sort(),
    );
  });

  it('isAncestor and treeOf', async () => {
    const first = t.git(['rev-parse', 'HEAD']);
    const second = await t.commit({ 'b.txt': 'b\n' }, 'second');
    expect(await t.repo.isAncestor(first, second)).toBe(true);
    expect(await t.repo.isAncestor(second, first)).toBe(false);
    expect(await t.repo.isAncestor(first, first)).toBe(true);
    expect(await t.repo.treeOf('main')).toBe(t.git(['rev-parse', 'main^{tree}']));
    // Same content, different commit: equal trees.
    t.git(['-c', 'user.name=x', '-c', 'user.email=x@y', 'commit', '-q', '--allow-empty', '-m', 'empty']);
    expect(await t.repo.treeOf('HEAD')).toBe(await t.repo.treeOf(second));
    await expect(t.repo.treeOf('nope')).rejects.toMatchObject({ code: 'GAFFER_GIT' });
  });
});

describe('dirtyFiles', () => {
  it('lists modified, staged, deleted and renamed tracked files but not untracked ones', async () => {
    expect(await t.repo.dirtyFiles()).toEqual([]);
    await t.write('README.md', 'changed\n');
    await t.write('untracked.txt', 'new\n');
    await t.write('staged.txt', 'staged\n');
    t.git(['add', 'staged.txt']);
    t.git(['mv', 'src/app.txt', 'src/moved file ü.txt']);
    expect(await t.repo.dirtyFiles()).toEqual([
      'README.md',
      'src/app.txt',
      'src/moved file ü.txt',
      'staged.txt',
    ]);
  });
});

describe('diffStat', () => {
  it('counts files and lines between two commits', async () => {
    const from = t.git(['rev-parse', 'HEAD']);
    await rm(join(t.dir, 'README.md'));
    const to = await t.commit({ 'src/app.txt': 'one\n2\nthree\nfour\n', 'new.txt': 'a\nb\n' }, 'change');
    expect(await t.repo.diffStat(from, to)).toEqual({
      files: ['README.md', 'new.txt', 'src/app.txt'],
      insertions: 4,
      deletions: 2,
    });
  });
});

describe('git', () => {
  it('throws GitError with args, exit code and stderr; allowFail returns the result', async () => {
    const error = await rejection(t.repo.git(['rev-parse', '--verify', 'no-such-ref']));
    expect(GitError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'GAFFER_GIT',
      exitCode: 128,
      args: ['rev-parse', '--verify', 'no-such-ref'],
    });
    expect((error as GitError).stderr).toContain('Needed a single revision');
    const result = await t.repo.git(['rev-parse', '--verify', 'no-such-ref'], { allowFail: true });
    expect(result.code).toBe(128);
  });

  it('retries while another process holds index.lock', async () => {
    await t.write('README.md', 'changed\n');
    const lock = join(t.dir, '.git', 'index.lock');
    await writeFile(lock, '');
    setTimeout(() => void rm(lock, { force: true }), 150);
    await t.repo.git(['add', 'README.md']);
    expect(t.git(['diff', '--cached', '--name-only'])).toBe('README.md');
  });
});

describe('ignoreGafferDir', () => {
  it('adds /.gaffer/ to info/exclude once and hides the directory from git', async () => {
    await t.write('.gaffer/gaffer.db', 'x');
    await t.repo.ignoreGafferDir();
    await t.repo.ignoreGafferDir();
    const exclude = await readFile(join(t.dir, '.git', 'info', 'exclude'), 'utf8');
    expect(exclude.split('\n').filter((line) => line === '/.gaffer/')).toHaveLength(1);
    expect(t.git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(t.git(['status', '--porcelain', '--ignored', '--untracked-files=all'])).toContain('.gaffer/');
  });
});

describe('resolveCommit of a branch', () => {
  it('follows the branch wherever git moves it: loose, packed, and a loose ref over a packed one', async () => {
    const t = await makeRepo();
    try {
      const first = t.git(['rev-parse', 'HEAD']);
      const second = await t.commit({ 'b.txt': 'b\n' }, 'second');
      t.git(['branch', 'topic', first]);
      expect(await t.repo.resolveCommit('refs/heads/topic')).toBe(first);
      expect(await t.repo.resolveCommit(second)).toBe(second);
      // Moved behind Gaffer's back, to a commit it already knows.
      t.git(['update-ref', 'refs/heads/topic', second]);
      expect(await t.repo.resolveCommit('refs/heads/topic')).toBe(second);
      // Packed: no loose file any more.
      t.git(['pack-refs', '--all']);
      expect(await t.repo.resolveCommit('refs/heads/topic')).toBe(second);
      // A loose ref written over the packed one wins, as in git.
      t.git(['update-ref', 'refs/heads/topic', first]);
      expect(await t.repo.resolveCommit('refs/heads/topic')).toBe(first);
      t.git(['branch', '-D', 'topic']);
      expect(await t.repo.resolveCommit('refs/heads/topic')).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });
});
