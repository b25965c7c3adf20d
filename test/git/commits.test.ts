import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/index.js';
import { exists, makeRepo, type TestRepo } from './helpers.js';

let t: TestRepo | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

async function withWorktree(options: { identity?: boolean } = {}) {
  t = await makeRepo(options);
  const base = t.git(['rev-parse', 'HEAD']);
  const wt = join(t.dir, '.gaffer', 'worktrees', 'demo', 't1');
  await t.repo.addWorktree(wt, 'task/t1', base);
  return { t, base, wt };
}

describe('commitAll', () => {
  it('commits additions, modifications, deletions and untracked files; undefined when nothing changed', async () => {
    const { t, base, wt } = await withWorktree();
    expect(await t.repo.commitAll(wt, 'nothing')).toBeUndefined();
    await writeFile(join(wt, 'README.md'), '# changed\n');
    await rm(join(wt, 'src', 'app.txt'));
    await mkdir(join(wt, 'lib'));
    await writeFile(join(wt, 'lib', 'new file.ts'), 'export {};\n');
    const message = '# Task t1\n\nDid the thing.\n';
    const head = await t.repo.commitAll(wt, message);
    expect(head).toBe(t.git(['rev-parse', 'task/t1']));
    expect(t.git(['rev-parse', `${head}^`])).toBe(base);
    expect(t.git(['show', '--name-status', '--format=', head!]).split('\n').sort()).toEqual([
      'A\tlib/new file.ts',
      'D\tsrc/app.txt',
      'M\tREADME.md',
    ]);
    // Markdown headings in the message are kept, not stripped as comments.
    expect(t.git(['log', '-1', '--format=%B', head!])).toBe('# Task t1\n\nDid the thing.');
    expect(t.git(['log', '-1', '--format=%an <%ae>', head!])).toBe('Test User <test@example.com>');
    expect(t.git(['status', '--porcelain'], wt)).toBe('');
    expect(await t.repo.commitAll(wt, 'again')).toBeUndefined();
  });

  it('commits as Gaffer <gaffer@localhost> when no git identity is configured anywhere', async () => {
    const { t, wt } = await withWorktree({ identity: false });
    // The fixture's HOME is empty and system config is off: git itself has no identity here.
    expect(() => t.git(['config', '--get', 'user.email'])).toThrow();
    expect(() => t.git(['config', '--get', 'user.name'])).toThrow();
    await writeFile(join(wt, 'x.txt'), 'x\n');
    const head = await t.repo.commitAll(wt, 'anonymous');
    expect(t.git(['log', '-1', '--format=%an <%ae>|%cn <%ce>', head!])).toBe(
      'Gaffer <gaffer@localhost>|Gaffer <gaffer@localhost>',
    );
  }, 20_000);
});

describe('hooks', () => {
  it('never runs a hook an agent planted in its worktree (post-commit via a relative core.hooksPath)', async () => {
    const { t, wt } = await withWorktree();
    await mkdir(join(wt, '.husky'), { recursive: true });
    await writeFile(join(wt, '.husky', 'post-commit'), '#!/bin/sh\ntouch hook-ran\n', {
      mode: 0o755,
    });
    t.git(['config', 'core.hooksPath', '.husky']);
    await writeFile(join(wt, 'a.txt'), 'a\n');
    expect(await t.repo.commitAll(wt, 'with a hook around')).toBeDefined();
    expect(await exists(join(wt, 'hook-ran'))).toBe(false);
  });
});

describe('changedPaths', () => {
  it('unions committed, staged, unstaged, deleted and untracked paths, without ignored files', async () => {
    const { t, base, wt } = await withWorktree();
    expect(await t.repo.changedPaths(wt, base)).toEqual([]);
    await t.commit({ 'committed.txt': 'c\n', '.gitignore': 'build/\n' }, 'work', wt);
    await writeFile(join(wt, 'staged.txt'), 's\n');
    t.git(['add', 'staged.txt'], wt);
    await writeFile(join(wt, 'README.md'), 'unstaged\n');
    await rm(join(wt, 'src', 'app.txt'));
    await mkdir(join(wt, 'build'));
    await writeFile(join(wt, 'build', 'out.js'), 'ignored');
    await mkdir(join(wt, 'new dir'));
    await writeFile(join(wt, 'new dir', 'ünïcode.txt'), 'untracked\n');
    expect(await t.repo.changedPaths(wt, base)).toEqual([
      '.gitignore',
      'README.md',
      'committed.txt',
      'new dir/ünïcode.txt',
      'src/app.txt',
      'staged.txt',
    ]);
  });

  it('lists each untracked file of a new folder and leaves ignored ones out, with nothing committed since', async () => {
    const { t, base, wt } = await withWorktree();
    await writeFile(join(wt, '.gitignore'), 'build/\n');
    await mkdir(join(wt, 'build'));
    await writeFile(join(wt, 'build', 'out.js'), 'ignored');
    await mkdir(join(wt, 'new dir', 'deep'), { recursive: true });
    await writeFile(join(wt, 'new dir', 'deep', 'a.txt'), 'a\n');
    await writeFile(join(wt, 'new dir', 'b.txt'), 'b\n');
    expect(await t.repo.changedPaths(wt, base)).toEqual([
      '.gitignore',
      'new dir/b.txt',
      'new dir/deep/a.txt',
    ]);
  });

  it('reports both sides of a rename', async () => {
    const { t, base, wt } = await withWorktree();
    t.git(['mv', 'src/app.txt', 'src/renamed.txt'], wt);
    expect(await t.repo.changedPaths(wt, base)).toEqual(['src/app.txt', 'src/renamed.txt']);
  });
});

describe('restorePaths', () => {
  it('restores modified and deleted files and removes added ones, leaving other changes alone', async () => {
    const { t, base, wt } = await withWorktree();
    await writeFile(join(wt, 'README.md'), 'tampered\n');
    await rm(join(wt, 'src', 'app.txt'));
    await mkdir(join(wt, 'secrets', 'deep'), { recursive: true });
    await writeFile(join(wt, 'secrets', 'deep', 'key.pem'), 'added');
    await writeFile(join(wt, 'staged [x].txt'), 'added and staged');
    t.git(['add', 'staged [x].txt'], wt);
    await writeFile(join(wt, 'keep.txt'), 'allowed change\n');
    await t.repo.restorePaths(
      wt,
      ['README.md', 'src/app.txt', 'secrets/deep/key.pem', 'staged [x].txt'],
      base,
    );
    expect(await t.read('README.md', wt)).toBe('# demo\n');
    expect(await t.read('src/app.txt', wt)).toBe('one\ntwo\nthree\n');
    expect(await exists(join(wt, 'secrets'))).toBe(false);
    expect(await exists(join(wt, 'staged [x].txt'))).toBe(false);
    expect(await t.repo.changedPaths(wt, base)).toEqual(['keep.txt']);
  });

  it('restores paths changed in a commit made after the base', async () => {
    const { t, base, wt } = await withWorktree();
    await t.commit({ 'README.md': 'committed change\n', 'added.txt': 'a' }, 'work', wt);
    await t.repo.restorePaths(wt, ['README.md', 'added.txt'], base);
    expect(await t.read('README.md', wt)).toBe('# demo\n');
    expect(await exists(join(wt, 'added.txt'))).toBe(false);
    const head = await t.repo.commitAll(wt, 'revert');
    expect(await t.repo.treeOf(head!)).toBe(await t.repo.treeOf(base));
  });

  it('refuses paths that leave the worktree', async () => {
    const { t, base, wt } = await withWorktree();
    await expect(t.repo.restorePaths(wt, ['../outside.txt'], base)).rejects.toMatchObject({
      code: 'GAFFER_INVALID_PATH',
    });
    await expect(t.repo.restorePaths(wt, ['/etc/passwd'], base)).rejects.toMatchObject({
      code: 'GAFFER_INVALID_PATH',
    });
    await expect(t.repo.restorePaths(wt, ['.git/config'], base)).rejects.toMatchObject({
      code: 'GAFFER_INVALID_PATH',
    });
  });
});

describe('Repo objects of one repository', () => {
  it('share one lock', async () => {
    t = await makeRepo();
    const other = await openRepo(t.dir, { env: t.env });
    const order: string[] = [];
    let release!: () => void;
    const first = t.repo.withLock(async () => {
      order.push('first in');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('first out');
    });
    const second = other.withLock(async () => {
      order.push('second in');
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(order).toEqual(['first in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });
});
