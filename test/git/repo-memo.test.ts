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

  it('lets a tamper check through the integration branch that Gaffer moved back (a merge taken out), merges since or not', async () => {
    const [a, b, c] = [await taskBranch('task/a'), await taskBranch('task/b'), await taskBranch('task/c')];
    await t.repo.mergeBranch('gaffer/run', 'task/a', 'merge a', { squash: true, commit: a });
    // An agent's session starts here; meanwhile b merges, breaks the checks and is taken out, then c merges.
    const before = await snapshotRepository(t.repo);
    const merged = await t.repo.mergeBranch('gaffer/run', 'task/b', 'merge b', { squash: true, commit: b });
    if (!merged.ok) throw new Error('b conflicted');
    await t.repo.takeOutMerge('gaffer/run', merged.commit, 'take out b');
    const scope = { ownBranch: 'task/x', integrationBranch: 'gaffer/run' };
    expect((await undoRepositoryChanges(t.repo, before, scope)).changes).toEqual([]);
    await t.repo.mergeBranch('gaffer/run', 'task/c', 'merge c', { squash: true, commit: c });
    expect((await undoRepositoryChanges(t.repo, before, scope)).changes).toEqual([]);
    // An agent that moves it back by hand, to a commit Gaffer wrote earlier, is still caught.
    t.git(['update-ref', 'refs/heads/gaffer/run', merged.commit]);
    const report = await undoRepositoryChanges(t.repo, before, scope);
    expect(report.changes.map((change) => change.name)).toEqual(['refs/heads/gaffer/run']);
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
