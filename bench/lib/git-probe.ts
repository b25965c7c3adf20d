/**
 * Watches, from outside Gaffer's code, what its git layer does in this process: every `git`
 * child process (subcommand, cwd, start and end), every time the repository lock file
 * (`<common dir>/gaffer-repo.lock`) is taken and released, and every `realpath` of a path below
 * `.gaffer/worktrees/` (the first one of a task's worktree path is `addWorktree` asking for the
 * lock). It wraps `child_process.spawn`, `fs/promises.link`/`unlink`/`realpath` and updates the
 * builtins' ES module bindings (`syncBuiltinESMExports`), so src/ stays untouched; the wrapper
 * costs microseconds per call, nothing next to a git process.
 */
import childProcess from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

/** One git child process. Times are epoch milliseconds with sub-millisecond precision. */
export interface GitCall {
  /** The subcommand and its arguments, Gaffer's leading `-c key=value` options left out. */
  args: string[];
  cwd: string;
  start: number;
  end: number;
}

/** One holding of the repository lock file. */
export interface LockHold {
  start: number;
  end: number;
}

/** What the probe saw since {@link startGitProbe}. */
export interface GitProbe {
  readonly calls: GitCall[];
  readonly holds: LockHold[];
  /** realpath calls of paths below `.gaffer/worktrees/`, in call order. */
  readonly realpaths: { path: string; at: number }[];
  /** Forgets what was seen so far (between measured phases). */
  reset(): void;
  /** Puts the original functions back. */
  stop(): void;
}

/** Epoch milliseconds, sub-millisecond: comparable with events' `at` timestamps. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

const LOCK_FILE = 'gaffer-repo.lock';
const WORKTREES = '/.gaffer/worktrees/';

/** The argv after `git` without the leading `-c key=value` pairs every Gaffer call carries. */
export function withoutConfigOptions(argv: readonly string[]): string[] {
  let i = 0;
  while (argv[i] === '-c') i += 2;
  return argv.slice(i);
}

/** Starts watching; only one probe may run at a time. */
export function startGitProbe(): GitProbe {
  const calls: GitCall[] = [];
  const holds: LockHold[] = [];
  const realpaths: { path: string; at: number }[] = [];
  let heldSince: number | undefined;

  const spawn = childProcess.spawn;
  const link = fsPromises.link;
  const unlink = fsPromises.unlink;
  const realpath = fsPromises.realpath;

  const probedSpawn = function (this: unknown, ...params: unknown[]): ChildProcess {
    const child = (spawn as (...a: unknown[]) => ChildProcess).apply(this, params);
    const [command, argv, options] = params as [string, string[] | undefined, { cwd?: string } | undefined];
    if (command === 'git') {
      const call: GitCall = {
        args: withoutConfigOptions(argv ?? []),
        cwd: String(options?.cwd ?? process.cwd()),
        start: nowMs(),
        end: Number.NaN,
      };
      calls.push(call);
      child.once('close', () => (call.end = nowMs()));
    }
    return child;
  };
  const probedLink: typeof fsPromises.link = async (existing, target) => {
    await link(existing, target);
    if (String(target).endsWith(LOCK_FILE)) heldSince = nowMs();
  };
  const probedUnlink: typeof fsPromises.unlink = async (path) => {
    if (String(path).endsWith(LOCK_FILE) && heldSince !== undefined) {
      holds.push({ start: heldSince, end: nowMs() });
      heldSince = undefined;
    }
    return unlink(path);
  };
  const probedRealpath = ((path: Parameters<typeof realpath>[0], options?: unknown) => {
    if (String(path).includes(WORKTREES)) realpaths.push({ path: String(path), at: nowMs() });
    return (realpath as (p: unknown, o?: unknown) => Promise<string>)(path, options);
  }) as typeof fsPromises.realpath;

  childProcess.spawn = probedSpawn as typeof childProcess.spawn;
  fsPromises.link = probedLink;
  fsPromises.unlink = probedUnlink;
  fsPromises.realpath = probedRealpath;
  syncBuiltinESMExports();

  return {
    calls,
    holds,
    realpaths,
    reset() {
      calls.length = 0;
      holds.length = 0;
      realpaths.length = 0;
    },
    stop() {
      childProcess.spawn = spawn;
      fsPromises.link = link;
      fsPromises.unlink = unlink;
      fsPromises.realpath = realpath;
      syncBuiltinESMExports();
    },
  };
}

/** The subcommand of a call as one label: `worktree add`, `rev-parse`, … */
export function subcommandOf(call: GitCall): string {
  const [first = '', second = ''] = call.args;
  return first === 'worktree' ? `worktree ${second}` : first;
}
