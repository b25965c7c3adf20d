import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, rejection, type TestRepo } from './helpers.js';

let t: TestRepo | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

async function twoWorktrees() {
  t = await makeRepo();
  const base = t.git(['rev-parse', 'HEAD']);
  const a = join(t.dir, '.gaffer', 'worktrees', 'run', 'a');
  const b = join(t.dir, '.gaffer', 'worktrees', 'run', 'b');
  await t.repo.addWorktree(a, 'gaffer-tasks/run/a', base);
  await t.repo.addWorktree(b, 'gaffer-tasks/run/b', base);
  // Somewhere outside the repository that holds something the user cares about.
  const scratch = join(t.dir, '..', 'scratch');
  await mkdir(scratch);
  await writeFile(join(scratch, 'precious.txt'), 'keep me\n');
  return { t, base, a, b, scratch };
}

const messageOf = async (promise: Promise<unknown>) => ((await rejection(promise)) as Error).message;

describe('worktree path safety', () => {
  it('refuses to remove or re-add a worktree that was replaced by a symlink, and deletes nothing', async () => {
    const { t, base, a, scratch } = await twoWorktrees();
    await rename(a, `${a}.moved`);
    await symlink(scratch, a);
    for (const attempt of [
      () => t.repo.removeWorktree(a, { deleteBranch: 'gaffer-tasks/run/a' }),
      () => t.repo.addWorktree(a, 'gaffer-tasks/run/a', base),
      () => t.repo.commitAll(a, 'commit through the link'),
    ]) {
      expect(await messageOf(attempt())).toContain('it is a symlink');
    }
    expect(await readFile(join(scratch, 'precious.txt'), 'utf8')).toBe('keep me\n');
    expect(t.git(['branch', '--list', 'gaffer-tasks/run/a'])).not.toBe('');
  });

  it('refuses a worktree below a symlinked directory', async () => {
    const { t, a, scratch } = await twoWorktrees();
    const run = join(t.dir, '.gaffer', 'worktrees', 'run');
    await rename(run, `${run}.moved`);
    await mkdir(join(scratch, 'a'));
    await writeFile(join(scratch, 'a', 'precious.txt'), 'keep me too\n');
    await symlink(scratch, run);
    expect(await messageOf(t.repo.removeWorktree(a))).toContain('a directory on its way is a symlink');
    expect(await readFile(join(scratch, 'a', 'precious.txt'), 'utf8')).toBe('keep me too\n');
  });

  it('refuses a worktree whose .git file points at another worktree', async () => {
    const { t, a, b } = await twoWorktrees();
    await writeFile(join(a, '.git'), await readFile(join(b, '.git'), 'utf8'));
    await writeFile(join(a, 'work.txt'), 'agent work\n');
    expect(await messageOf(t.repo.commitAll(a, 'onto b'))).toContain('belongs to another worktree');
    expect(await messageOf(t.repo.removeWorktree(a))).toContain('belongs to another worktree');
    expect(t.git(['rev-parse', 'gaffer-tasks/run/b'])).toBe(t.git(['rev-parse', 'main']));
    expect(await readFile(join(a, 'work.txt'), 'utf8')).toBe('agent work\n');
  });

  it('refuses a path outside .gaffer/worktrees', async () => {
    const { t, scratch } = await twoWorktrees();
    expect(await messageOf(t.repo.removeWorktree(scratch))).toContain('is not inside');
    expect(await readFile(join(scratch, 'precious.txt'), 'utf8')).toBe('keep me\n');
  });
});
