import { spawn } from 'node:child_process';
import { GitError } from './git-error.js';

/** Result of one git invocation. */
export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options of {@link execGit}. */
export interface ExecGitOptions {
  cwd: string;
  /** Added to (and overriding) the environment built by {@link gitEnv}. */
  env?: Record<string, string>;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFail?: boolean;
  /** Written to git's stdin. */
  input?: string;
  /** Retry when git reports a held lock file (default true). Off for commands that are not safe to repeat. */
  retryOnLock?: boolean;
}

/**
 * Options put before every subcommand. quotepath=false keeps non-ASCII paths readable in the
 * outputs we parse; automatic gc/maintenance is off because it can run concurrently with our
 * other git processes on the same repository and then fail them on its locks. Hooks are off:
 * an agent can write a hook (or a relative `core.hooksPath` such as husky's) into its worktree,
 * and Gaffer's own git calls run with Gaffer's environment, not the agent's allowlist.
 */
const GLOBAL_ARGS = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.quotepath=false',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
  '-c',
  'color.ui=false',
];

/**
 * Variables that would point git at another repository than the cwd's (they are set when Gaffer
 * itself runs inside a git hook, for example).
 */
const REPO_LOCATING_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

/**
 * The environment for git: ours minus repository-locating variables, in the C locale (we match
 * git's English messages), never prompting or opening an editor, and without optional locks so a
 * read such as `git status` never contends with the user's own git commands on index.lock.
 */
export function gitEnv(parent: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value !== undefined && !REPO_LOCATING_VARS.includes(key)) env[key] = value;
  }
  return {
    ...env,
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    GIT_SEQUENCE_EDITOR: 'true',
    GIT_MERGE_AUTOEDIT: 'no',
    GIT_OPTIONAL_LOCKS: '0',
  };
}

const LOCK_MESSAGE = /index\.lock|could not lock config file|Unable to create '[^']*\.lock'/i;
const MAX_RETRIES = 5;

/** True when stderr says a git lock file was held, which is transient. */
export function isLockContention(stderr: string): boolean {
  return LOCK_MESSAGE.test(stderr);
}

/**
 * Runs `git <args>` without a shell. Throws {@link GitError} on a non-zero exit unless
 * `allowFail`; retries up to 5 times with a short backoff when another process held a lock.
 */
export async function execGit(args: readonly string[], options: ExecGitOptions): Promise<GitResult> {
  const env = { ...gitEnv(), ...options.env };
  for (let attempt = 0; ; attempt++) {
    const result = await spawnGit(args, options.cwd, env, options.input);
    if (result.code === 0) return result;
    const retry = options.retryOnLock !== false && attempt < MAX_RETRIES && isLockContention(result.stderr);
    if (retry) {
      await sleep(40 * 2 ** attempt + Math.floor(Math.random() * 40));
      continue;
    }
    if (options.allowFail) return result;
    throw new GitError(args, result.code, result.stderr);
  }
}

function spawnGit(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
  input?: string,
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...GLOBAL_ARGS, ...args], {
      cwd,
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    if (input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // git may exit without reading everything
      child.stdin.end(input);
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT';
      reject(
        new GitError(args, undefined, error.message, {
          cause: error,
          hint: missing ? `install git, or check that ${cwd} exists` : undefined,
        }),
      );
    });
    child.on('close', (code, signal) => {
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\nkilled by ${signal}` : ''),
        code: code ?? 128,
      });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
