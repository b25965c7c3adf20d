import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareSnapshots, restoreSnapshot, snapshotRepository } from '../../src/git/index.js';
import { makeRepo, type TestRepo } from './helpers.js';

let t: TestRepo | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('repository snapshots', () => {
  it('finds moved, created and replace refs, HEAD, config and hooks, and puts them back byte for byte', async () => {
    t = await makeRepo();
    const main = t.git(['rev-parse', 'main']);
    const other = await t.commit({ 'other.txt': 'x\n' }, 'other');
    t.git(['update-ref', 'refs/heads/main', main]);
    t.git(['tag', 'v1', main]);
    const config = await readFile(join(t.dir, '.git', 'config'));
    const before = await snapshotRepository(t.repo);

    t.git(['update-ref', 'refs/heads/main', other]);
    t.git(['update-ref', '-d', 'refs/tags/v1']);
    t.git(['update-ref', `refs/replace/${main}`, other]);
    t.git(['update-ref', 'refs/heads/planted', other]);
    t.git(['config', 'core.hooksPath', '/tmp/elsewhere']);
    await writeFile(join(t.dir, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\necho hi\n');
    await chmod(join(t.dir, '.git', 'hooks', 'post-checkout'), 0o755);
    await writeFile(join(t.dir, '.git', 'info', 'exclude'), 'hidden.txt\n');

    const changes = compareSnapshots(before, await snapshotRepository(t.repo));
    expect(changes.map((c) => [c.kind, c.name])).toEqual([
      ['ref-moved', 'refs/heads/main'],
      ['ref-created', 'refs/heads/planted'],
      ['replace-ref-added', `refs/replace/${main}`],
      ['ref-deleted', 'refs/tags/v1'],
      ['config-changed', 'config'],
      ['hook-added', 'hooks/post-checkout'],
      ['file-changed', 'info/exclude'],
    ]);
    expect(changes[0]).toMatchObject({ before: main, after: other });

    const result = await restoreSnapshot(t.repo, before, changes);
    expect(result.failed).toEqual([]);
    expect(compareSnapshots(before, await snapshotRepository(t.repo))).toEqual([]);
    expect(await readFile(join(t.dir, '.git', 'config'))).toEqual(config);
    expect(t.git(['rev-parse', 'main'])).toBe(main);
    expect(t.git(['rev-parse', 'v1'])).toBe(main);
  });

  it('leaves ignored refs alone and does not undo a ref that moved again since the compare', async () => {
    t = await makeRepo();
    const main = t.git(['rev-parse', 'main']);
    const other = await t.commit({ 'other.txt': 'x\n' }, 'other');
    t.git(['update-ref', 'refs/heads/main', main]);
    const before = await snapshotRepository(t.repo);
    t.git(['update-ref', 'refs/heads/gaffer-tasks/run/b', other]);
    t.git(['update-ref', 'refs/heads/main', other]);
    const changes = compareSnapshots(before, await snapshotRepository(t.repo), {
      ignoreRef: (ref) => ref.startsWith('refs/heads/gaffer-tasks/'),
    });
    expect(changes.map((c) => c.name)).toEqual(['refs/heads/main']);
    t.git(['update-ref', 'refs/heads/main', main]);
    t.git(['commit', '--allow-empty', '-q', '-m', 'the user committed meanwhile']);
    const moved = t.git(['rev-parse', 'main']);
    const result = await restoreSnapshot(t.repo, before, changes);
    expect(result.failed).toHaveLength(1);
    expect(t.git(['rev-parse', 'main'])).toBe(moved);
  });
});
