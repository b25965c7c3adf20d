import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/index.js';
import { gitEnv } from '../../src/git/exec-git.js';
import { exists, makeRepo, type TestRepo } from './helpers.js';

let t: TestRepo | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** A program that appends its arguments to `marker` and passes stdin through (a filter's contract). */
async function markerScript(dir: string, name: string, marker: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat\n`);
  await chmod(path, 0o755);
  return path;
}

describe("Gaffer's own git and the repository's config", () => {
  it('runs no fsmonitor, filter, merge driver or hook that appeared after the repository was opened', async () => {
    t = await makeRepo();
    const marker = join(t.dir, '..', 'marker');
    const script = await markerScript(join(t.dir, '..'), 'evil.sh', marker);
    const base = t.git(['rev-parse', 'HEAD']);
    t.git(['branch', 'gaffer/run']);
    // What an agent writes into the shared .git once Gaffer has opened the repository.
    t.git(['config', 'core.fsmonitor', script]);
    t.git(['config', 'filter.evil.clean', `${script} clean`]);
    t.git(['config', 'filter.evil.smudge', `${script} smudge`]);
    t.git(['config', 'filter.evil.process', `${script} process`]);
    t.git(['config', 'merge.evil.driver', `${script} merge %O %A %B`]);
    t.git(['config', 'diff.evil.textconv', `${script} textconv`]);
    await writeFile(join(t.dir, '.git', 'info', 'attributes'), '* filter=evil merge=evil diff=evil\n');
    await writeFile(
      join(t.dir, '.git', 'hooks', 'pre-commit'),
      `#!/bin/sh\necho pre-commit >> '${marker}'\n`,
    );
    await chmod(join(t.dir, '.git', 'hooks', 'pre-commit'), 0o755);
    await writeFile(
      join(t.dir, '.git', 'hooks', 'post-checkout'),
      `#!/bin/sh\necho post-checkout >> '${marker}'\n`,
    );
    await chmod(join(t.dir, '.git', 'hooks', 'post-checkout'), 0o755);

    await writeFile(join(t.dir, 'README.md'), 'edited in the main checkout\n');
    expect(await t.repo.dirtyFiles()).toEqual(['README.md']);
    const wt = join(t.dir, '.gaffer', 'worktrees', 'run', 'a');
    await t.repo.addWorktree(wt, 'gaffer-tasks/run/a', base);
    await writeFile(join(wt, 'src', 'app.txt'), 'one\ntwo\nthree\nfour\n');
    const head = await t.repo.commitAll(wt, 'task a');
    expect(head).toBeDefined();
    await t.repo.diffStat(base, head ?? base);
    await t.repo.changedPaths(wt, base);
    expect((await t.repo.mergeBranch('gaffer/run', 'gaffer-tasks/run/a', 'merge a')).ok).toBe(true);
    await t.repo.resetHard(wt, base);

    expect(await exists(marker)).toBe(false);
    // The user's own git still sees the agent's config: undoing it is the attempt's snapshot's job.
    expect(t.git(['config', 'core.fsmonitor'])).toBe(script);
  });

  it('sees a driver written after a read it kept, and one written into an included file', async () => {
    t = await makeRepo();
    const marker = join(t.dir, '..', 'marker');
    const script = await markerScript(join(t.dir, '..'), 'evil.sh', marker);
    const base = t.git(['rev-parse', 'HEAD']);
    const wt = join(t.dir, '.gaffer', 'worktrees', 'run', 'a');
    await t.repo.addWorktree(wt, 'gaffer-tasks/run/a', base);
    await writeFile(join(t.dir, '.git', 'info', 'attributes'), '* filter=evil\n');
    /** A reset that rewrites src/app.txt in the worktree: a smudge filter would run. */
    const rewrite = async () => {
      await writeFile(join(wt, 'src', 'app.txt'), 'changed\n');
      await t?.repo.resetHard(wt, base);
    };
    // The worktree's config is read (and kept) before anything is planted.
    await rewrite();
    t.git(['config', 'filter.evil.smudge', `${script} smudge`]);
    await rewrite();
    expect(await exists(marker)).toBe(false);
    // An include whose file changes later, without the repository's config changing.
    t.git(['config', '--unset', 'filter.evil.smudge']);
    const included = join(t.dir, '..', 'included.cfg');
    await writeFile(included, '');
    t.git(['config', 'include.path', included]);
    await rewrite();
    await writeFile(included, `[filter "evil"]\n\tsmudge = ${script} smudge\n`);
    await rewrite();
    expect(await exists(marker)).toBe(false);
    expect(await t.read('src/app.txt', wt)).toBe('one\ntwo\nthree\n');
  });

  it('keeps a filter the repository had when it was opened (git-lfs and the like)', async () => {
    t = await makeRepo();
    const marker = join(t.dir, '..', 'marker');
    const script = await markerScript(join(t.dir, '..'), 'upper.sh', marker);
    t.git(['config', 'filter.user.clean', `${script} clean`]);
    await writeFile(join(t.dir, '.git', 'info', 'attributes'), '*.txt filter=user\n');
    const repo = await openRepo(t.dir, { env: t.env });
    const base = t.git(['rev-parse', 'HEAD']);
    const wt = join(t.dir, '.gaffer', 'worktrees', 'run', 'a');
    await repo.addWorktree(wt, 'gaffer-tasks/run/a', base);
    await writeFile(join(wt, 'new.txt'), 'x\n');
    await repo.commitAll(wt, 'with the user filter');
    expect(await readFile(marker, 'utf8')).toContain('clean');
  });

  it('hands git no variable of the parent environment but PATH, HOME, TMPDIR and the identity', () => {
    const env = gitEnv({
      PATH: '/usr/bin',
      HOME: '/home/u',
      AWS_SECRET_ACCESS_KEY: 'secret',
      ANTHROPIC_API_KEY: 'secret',
      GIT_DIR: '/elsewhere',
      GIT_CONFIG_PARAMETERS: "'core.fsmonitor=evil'",
      GIT_AUTHOR_NAME: 'Ada',
    });
    expect(Object.values(env)).not.toContain('secret');
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      HOME: '/home/u',
      GIT_AUTHOR_NAME: 'Ada',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_NO_REPLACE_OBJECTS: '1',
      GIT_TERMINAL_PROMPT: '0',
    });
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.GIT_CONFIG_PARAMETERS).toBeUndefined();
  });
});
