import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openRepo, type Repo } from '../../src/git/index.js';

/** A throwaway repository: `git init -b main` plus one commit, with its own HOME so the machine's git config stays out. */
export interface TestRepo {
  dir: string;
  repo: Repo;
  env: Record<string, string>;
  /** Runs git synchronously in `cwd` (default: the repo) and returns trimmed stdout. */
  git(args: string[], cwd?: string): string;
  write(path: string, content: string, cwd?: string): Promise<void>;
  read(path: string, cwd?: string): Promise<string>;
  /** Writes the files and commits them with `git commit` on the branch checked out in `cwd`. */
  commit(files: Record<string, string>, message: string, cwd?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeRepo(options: { identity?: boolean } = {}): Promise<TestRepo> {
  const base = await mkdtemp(join(tmpdir(), 'gaffer-git-'));
  const dir = join(base, 'repo');
  const home = join(base, 'home');
  await mkdir(dir);
  await mkdir(home);
  const env: Record<string, string> = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const processEnv = { ...process.env, ...env };
  const git = (args: string[], cwd = dir) =>
    execFileSync('git', args, {
      cwd,
      env: processEnv,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  // The fixture's own commits carry an explicit identity, so the repository config can stay without one.
  const commitArgs = ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.com', 'commit', '-q'];
  git(['init', '-q', '-b', 'main']);
  if (options.identity ?? true) {
    git(['config', 'user.name', 'Test User']);
    git(['config', 'user.email', 'test@example.com']);
  }
  const write = async (path: string, content: string, cwd = dir) => {
    await mkdir(dirname(join(cwd, path)), { recursive: true });
    await writeFile(join(cwd, path), content);
  };
  const commit = async (files: Record<string, string>, message: string, cwd = dir) => {
    for (const [path, content] of Object.entries(files)) await write(path, content, cwd);
    git(['add', '--all'], cwd);
    git([...commitArgs, '-m', message], cwd);
    return git(['rev-parse', 'HEAD'], cwd);
  };
  await commit({ 'README.md': '# demo\n', 'src/app.txt': 'one\ntwo\nthree\n' }, 'initial');
  const repo = await openRepo(dir, { env });
  return {
    dir: repo.root,
    repo,
    env,
    git,
    write,
    read: (path, cwd = repo.root) => readFile(join(cwd, path), 'utf8'),
    commit,
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Whether anything (a file, a directory, a link's target) is at `path`. */
export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Where the engine puts task `task`'s worktree of run `demo` in `t`'s repository. */
export const demoWorktree = (t: TestRepo, task: string): string =>
  join(t.dir, '.gaffer', 'worktrees', 'demo', task);

/**
 * `repo` behind a Proxy like the engine's lease fence (methods bound to the Repo itself), which
 * records the argv of every git process asked for through it.
 */
export function recordingGit(repo: Repo): { repo: Repo; calls: string[][] } {
  const calls: string[][] = [];
  const proxy = new Proxy(repo, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'git')
        return (args: string[], options?: Parameters<Repo['git']>[1]) => {
          calls.push(args);
          return target.git(args, options);
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { repo: proxy, calls };
}
