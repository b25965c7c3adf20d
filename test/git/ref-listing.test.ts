import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotRepository } from '../../src/git/index.js';
import { listRefs, listRefsWithGit, readRefFiles } from '../../src/git/ref-listing.js';
import { makeRepo, recordingGit, type TestRepo } from './helpers.js';

let t: TestRepo;
let head: string;
beforeEach(async () => {
  t = await makeRepo();
  head = t.git(['rev-parse', 'HEAD']);
});
afterEach(async () => {
  await t.cleanup();
});

const gitDir = () => join(t.dir, '.git');
/** Writes a file below the common dir as an agent with the sandbox off could. */
const plant = async (path: string, content: string) => {
  await mkdir(join(gitDir(), path, '..'), { recursive: true });
  await writeFile(join(gitDir(), path), content);
};

/** Branches, tags (annotated too), a remote with a symbolic HEAD, the stash, notes, replace refs, nested names. */
async function populate(): Promise<void> {
  const second = await t.commit({ 'b.txt': 'b\n' }, 'second');
  t.git(['tag', 'light', head]);
  t.git([
    '-c',
    'user.name=T',
    '-c',
    'user.email=t@example.com',
    'tag',
    '-a',
    '-m',
    'annotated',
    'v1',
    second,
  ]);
  t.git(['update-ref', 'refs/remotes/origin/main', head]);
  t.git(['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main']);
  t.git(['branch', 'feature/deep/nested/name', head]);
  await t.write('README.md', 'stashed change\n');
  t.git(['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'stash', '-q']);
  t.git(['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'notes', 'add', '-m', 'a note', head]);
  t.git(['update-ref', `refs/replace/${head}`, second]);
}

/** The reader's view equals git's, and the reader answered by itself (no fallback). */
async function expectFilesEqualGit(): Promise<void> {
  const fromFiles = await readRefFiles(gitDir());
  expect(fromFiles).toBeDefined();
  expect(fromFiles).toEqual(await listRefsWithGit(t.repo));
}

/** The reader hands over to git, and what the listing returns is still exactly git's. */
async function expectFallbackEqualGit(): Promise<void> {
  expect(await readRefFiles(gitDir())).toBeUndefined();
  expect(await listRefs(t.repo)).toEqual(await listRefsWithGit(t.repo));
}

describe('reading the refs from git’s files', () => {
  it('lists loose refs as for-each-ref does: tags, a symbolic remote HEAD, stash, notes, replace, nested', async () => {
    await populate();
    const refs = await readRefFiles(gitDir());
    expect(refs?.['refs/remotes/origin/HEAD']).toBe(head);
    expect(Object.keys(refs ?? {})).toEqual(
      expect.arrayContaining(['refs/stash', 'refs/notes/commits', `refs/replace/${head}`, 'refs/tags/v1']),
    );
    await expectFilesEqualGit();
  });

  it('lists packed refs, peeled tags left out, and a loose ref over a packed one of the same name', async () => {
    await populate();
    t.git(['pack-refs', '--all']);
    await expectFilesEqualGit();
    const moved = await t.commit({ 'c.txt': 'c\n' }, 'third');
    t.git(['update-ref', 'refs/heads/feature/deep/nested/name', moved]);
    expect(t.git(['show-ref', 'feature/deep/nested/name'])).toContain(moved);
    await expectFilesEqualGit();
    expect((await readRefFiles(gitDir()))?.['refs/heads/feature/deep/nested/name']).toBe(moved);
  });

  it('passes over git’s lock files', async () => {
    await plant('refs/heads/main.lock', 'not a ref\n');
    await plant('refs/heads/half-written.lock', `${head}\n`);
    await expectFilesEqualGit();
  });

  it('follows a chain of symbolic refs as deep as git does, and no deeper', async () => {
    const chain = ['a', 'b', 'c', 'd'];
    t.git(['update-ref', 'refs/chain/e', head]);
    for (const [i, name] of chain.entries())
      await plant(`refs/chain/${name}`, `ref: refs/chain/${chain[i + 1] ?? 'e'}\n`);
    await expectFilesEqualGit();
    await plant('refs/chain/z', 'ref: refs/chain/a\n');
    await expectFallbackEqualGit();
    expect(await listRefs(t.repo)).not.toHaveProperty('refs/chain/z');
  });

  it.each([
    ['garbage in a ref file', () => plant('refs/heads/garbage', 'this is no object id\n')],
    ['an id followed by text (git reads the id)', () => plant('refs/heads/trailing', `${head} trailing\n`)],
    ['an empty ref file', () => plant('refs/heads/empty', '')],
    ['an upper-case id', () => plant('refs/heads/upper', `${head.toUpperCase()}\n`)],
    ['a dangling symbolic ref', () => plant('refs/heads/dangling', 'ref: refs/heads/nowhere\n')],
    ['a symbolic ref loop', () => plant('refs/heads/loop', 'ref: refs/heads/loop\n')],
    ['a name git passes over', () => plant('refs/heads/.hidden', `${head}\n`)],
    ['a name with characters git allows', () => plant('refs/heads/caf\u00e9+x', `${head}\n`)],
    [
      'a symlinked directory',
      async () => {
        await mkdir(join(t.dir, 'elsewhere'));
        await writeFile(join(t.dir, 'elsewhere', 'planted'), `${head}\n`);
        await symlink(join(t.dir, 'elsewhere'), join(gitDir(), 'refs', 'heads', 'linked'));
      },
    ],
    [
      'a symlinked ref file',
      async () => {
        await writeFile(join(t.dir, 'target-ref'), `${head}\n`);
        await symlink(join(t.dir, 'target-ref'), join(gitDir(), 'refs', 'tags', 'linked'));
      },
    ],
    [
      'an odd name in packed-refs',
      async () => {
        t.git(['pack-refs', '--all']);
        await writeFile(join(gitDir(), 'packed-refs'), `${head} refs/heads/odd+name\n`, { flag: 'a' });
      },
    ],
  ])('asks git when it finds %s, and lists what git lists', async (_case, setUp) => {
    await populate();
    await setUp();
    await expectFallbackEqualGit();
  });

  it('asks git in a reftable repository', async () => {
    await mkdir(join(gitDir(), 'reftable'));
    expect(await readRefFiles(gitDir())).toBeUndefined();
  });

  it('sees a ref that pack-refs moved into packed-refs between the two reads', async () => {
    // The loose file gone, its line in packed-refs: what pack-refs leaves once it has deleted it.
    t.git(['branch', 'moving', head]);
    t.git(['pack-refs', '--all', '--no-prune']);
    await rename(join(gitDir(), 'refs', 'heads', 'moving'), join(t.dir, 'moved-away'));
    expect((await readRefFiles(gitDir()))?.['refs/heads/moving']).toBe(head);
    await expectFilesEqualGit();
  });
});

describe('a repository snapshot', () => {
  it('reads the refs without a git process, through a wrapped Repo too', async () => {
    await populate();
    const { repo, calls } = recordingGit(t.repo);
    const snapshot = await snapshotRepository(repo);
    expect(calls).toEqual([]);
    expect(snapshot.refs).toEqual(await listRefsWithGit(t.repo));
  });
});
