import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotRepository } from '../../src/git/index.js';
import { mergeBranch } from '../../src/git/merge.js';
import { undoRepositoryChanges } from '../../src/git/repo-tamper.js';
import { makeRepo, recordingGit, type TestRepo } from './helpers.js';

let t: TestRepo;
let base: string;
beforeEach(async () => {
  t = await makeRepo();
  base = t.git(['rev-parse', 'HEAD']);
  await t.repo.ensureBranch('gaffer/run', base);
});
afterEach(async () => {
  await t.cleanup();
});

/** A task branch with one commit of its own file, made from the base commit. */
async function taskBranch(name: string): Promise<string> {
  t.git(['branch', name, base]);
  t.git(['checkout', '--quiet', name]);
  const commit = await t.commit({ [`${name.replaceAll('/', '-')}.txt`]: `${name}\n` }, name);
  t.git(['checkout', '--quiet', 'main']);
  return commit;
}

describe('what a Repo remembers of its own merges', () => {
  it('lets a tamper check through a wrapped Repo recognise merges made through the Repo, without asking git', async () => {
    const [a, b] = [await taskBranch('task/a'), await taskBranch('task/b')];
    const before = await snapshotRepository(t.repo);
    expect(
      await t.repo.mergeBranch('gaffer/run', 'task/a', 'merge a', { squash: true, commit: a }),
    ).toMatchObject({ ok: true });
    expect(
      await t.repo.mergeBranch('gaffer/run', 'task/b', 'merge b', { squash: true, commit: b }),
    ).toMatchObject({ ok: true });
    const { repo, calls } = recordingGit(t.repo);
    const report = await undoRepositoryChanges(repo, before, {
      ownBranch: 'task/c',
      integrationBranch: 'gaffer/run',
    });
    expect(report.changes).toEqual([]);
    expect(calls.map((args) => args[0])).not.toContain('rev-list');
    expect(calls.map((args) => args[0])).not.toContain('merge-base');
  });

  it('knows the tree of the merge it made last, so the next merge asks git for no tree', async () => {
    const [a, b] = [await taskBranch('task/a'), await taskBranch('task/b')];
    await t.repo.mergeBranch('gaffer/run', 'task/a', 'merge a', { squash: true, commit: a });
    const { repo, calls } = recordingGit(t.repo);
    const merged = await mergeBranch(repo, 'gaffer/run', 'task/b', 'merge b', { squash: true, commit: b });
    expect(merged).toMatchObject({ ok: true, alreadyMerged: false });
    expect(calls.flat().filter((arg) => arg.endsWith('^{tree}'))).toEqual([]);
    // Merged again, it is found already merged: the tree compare still holds.
    expect(
      await mergeBranch(repo, 'gaffer/run', 'task/b', 'merge b', { squash: true, commit: b }),
    ).toMatchObject({
      ok: true,
      alreadyMerged: true,
    });
    expect(t.git(['show', '--format=', '--name-only', 'gaffer/run'])).toBe('task-b.txt');
  });
});
