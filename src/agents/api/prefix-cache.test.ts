import { execFileSync } from 'node:child_process';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrefixCache } from './prefix-cache.js';

let repo: string;
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], {
    cwd,
    stdio: 'ignore',
  });

beforeEach(async () => {
  repo = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-api-prefix-')));
  git(repo, 'init', '-q', '-b', 'main');
  await writeFile(path.join(repo, 'AGENTS.md'), 'Be brief.\n');
  await writeFile(path.join(repo, 'ignored.log'), 'noise\n');
  await writeFile(path.join(repo, '.gitignore'), '*.log\n');
  git(repo, 'add', 'AGENTS.md', '.gitignore');
  git(repo, 'commit', '-q', '-m', 'init');
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe('prefix cache', () => {
  it('gives every worktree of a run the first task’s prefix, and a new run a fresh one', async () => {
    const cache = createPrefixCache();
    const first = path.join(repo, 'wt-1');
    const second = path.join(repo, 'wt-2');
    git(repo, 'worktree', 'add', '-q', '-b', 'task-1', first);
    const a = await cache.get('run-1', first, 24_000);
    expect(a.text).toContain('# Repository instructions (AGENTS.md)\nBe brief.');
    expect(a.text).toContain('./: .gitignore, AGENTS.md');
    expect(a.text).not.toContain('ignored.log');

    // An earlier task merged a new file: the run's next worktree has it, the prefix does not change.
    await writeFile(path.join(repo, 'merged.ts'), 'export {};\n');
    git(repo, 'add', 'merged.ts');
    git(repo, 'commit', '-q', '-m', 'merge');
    git(repo, 'worktree', 'add', '-q', '-b', 'task-2', second);
    expect((await cache.get('run-1', second, 24_000)).text).toBe(a.text);
    expect((await cache.get('run-2', second, 24_000)).text).toContain('./: .gitignore, AGENTS.md, merged.ts');
  });

  it('walks the directory when it is not a git repository', async () => {
    const plain = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-api-plain-')));
    try {
      await writeFile(path.join(plain, 'a.txt'), 'a\n');
      expect((await createPrefixCache().get('run-1', plain, 24_000)).text).toContain('./: a.txt');
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });
});
