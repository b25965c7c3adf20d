import type { ConfigEntry } from './config-guard.js';
import type { GitResult } from './exec-git.js';

/** Options of one raw git call through a repository. */
export interface GitCallOptions {
  /** Working directory; the repository root by default. */
  cwd?: string;
  /** Return the result instead of throwing GitError on a non-zero exit. */
  allowFail?: boolean;
  /** Extra environment variables for this call. */
  env?: Record<string, string>;
  /** Written to git's stdin. */
  input?: string;
  /** Retry on held lock files (default true). */
  retryOnLock?: boolean;
}

/** What the operation modules need from a repository: its root, raw git, and its lock. */
export interface GitContext {
  readonly root: string;
  /** The git common dir (symlinks resolved); absent on a test double, then read with rev-parse. */
  readonly commonDir?: string;
  /**
   * Stands for this repository in per-process memos (repo-memo.ts): a plain object, so a Proxy
   * around the context hands out the very same one. Absent on a test double, then the context is the key.
   */
  readonly memoKey?: object;
  git(args: string[], options?: GitCallOptions): Promise<GitResult>;
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Notes that Gaffer is about to set `ref` to `value`, so a snapshot compare can tell Gaffer's
   * own moves from an agent's; called before the write, since a compare may run while it is under way.
   */
  noteRefWrite?(ref: string, value: string): void;
  /** The values noted for `ref`, oldest first. */
  refWrites?(ref: string): readonly string[];
  /** The config as git reads it in `cwd` (kept while its files are unchanged); absent on a test double. */
  configAt?(cwd: string): Promise<readonly ConfigEntry[]>;
}

/** Splits NUL-separated git output (`-z`), dropping the empty string after the final NUL. */
export function splitNul(stdout: string): string[] {
  const parts = stdout.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}
