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
  /** `-c key=value` pairs put after the fixed options (see config-guard.ts). */
  configOverrides?: readonly string[];
}

/**
 * Options put before every subcommand. quotepath=false keeps non-ASCII paths readable in the
 * outputs we parse; automatic gc/maintenance is off because it can run concurrently with our
 * other git processes on the same repository and then fail them on its locks. The rest
 * neutralise repository config that would run a program inside Gaffer's own git calls: an agent
 * can write `.git/config`, and these calls run with Gaffer's environment, not the agent's
 * allowlist (docs/decisions/2026-12-01-safe-git.md). Command-line `-c` wins over every config file.
 * Hooks never run (Gaffer commits with --no-verify and relies on no hook); Gaffer's git talks to no
 * remote except to fetch a partial clone's missing objects over http(s) without credentials;
 * `core.sshCommand=false` stays until pushing exists, which must then opt in explicitly.
 */
const GLOBAL_ARGS = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.quotepath=false',
  '-c',
  'core.pager=cat',
  '-c',
  'core.editor=true',
  '-c',
  'sequence.editor=true',
  '-c',
  'core.askPass=',
  '-c',
  'core.sshCommand=false',
  '-c',
  'credential.helper=',
  '-c',
  'protocol.allow=never',
  '-c',
  'protocol.https.allow=always',
  '-c',
  'protocol.http.allow=always',
  '-c',
  'protocol.ext.allow=never',
  '-c',
  'log.showSignature=false',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
  '-c',
  'color.ui=false',
];

/**
 * Subcommands whose output is a diff: they get `--no-ext-diff --no-textconv`, so neither
 * `diff.external` nor a `diff.<driver>.command`/`textconv` from repository config runs (an empty
 * `-c` value does not switch those off: git tries to run the empty command).
 */
const DIFF_SUBCOMMANDS: ReadonlySet<string> = new Set(['diff', 'log', 'show']);

/** Variables taken from Gaffer's own environment; nothing else is passed (no secrets, no GIT_DIR). */
const INHERITED_VARS = [
  'PATH',
  'HOME',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  // The user's identity and global config location, as plain git would honour them.
  'GIT_CONFIG_GLOBAL',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
];

/**
 * The environment for git, built from scratch: PATH, HOME, TMPDIR and the user's identity from
 * ours, nothing else — no secret of Gaffer's reaches a program git runs, and no GIT_DIR or
 * GIT_CONFIG_PARAMETERS points git elsewhere. The C locale (we match git's English messages), never
 * prompting or opening an editor, without the system config, replace refs or grafts (refs and
 * objects are read as they are), and without optional locks so a read such as `git status` never
 * contends with the user's own git commands on index.lock.
 */
export function gitEnv(parent: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_VARS) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  return {
    ...env,
    LC_ALL: 'C',
    LANG: 'C',
    LANGUAGE: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_GRAFT_FILE: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    GIT_SEQUENCE_EDITOR: 'true',
    GIT_MERGE_AUTOEDIT: 'no',
    GIT_OPTIONAL_LOCKS: '0',
  };
}

/**
 * The full argv after `git`: the fixed options, the caller's `-c` overrides, then `args` with
 * `--no-ext-diff --no-textconv` right after a diff-producing subcommand.
 */
export function gitArgv(args: readonly string[], overrides: readonly string[] = []): string[] {
  const at = subcommandIndex(args);
  const sub = at === undefined ? undefined : args[at];
  const withFlags =
    at !== undefined && sub !== undefined && DIFF_SUBCOMMANDS.has(sub)
      ? [...args.slice(0, at + 1), '--no-ext-diff', '--no-textconv', ...args.slice(at + 1)]
      : [...args];
  return [...GLOBAL_ARGS, ...overrides, ...withFlags];
}

/** Where the subcommand is in `args`: after leading `-c <x>` pairs and `--flag`s. */
export function subcommandIndex(args: readonly string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') i++;
    else if (!arg.startsWith('-')) return i;
  }
  return undefined;
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
    const result = await spawnGit(
      args,
      gitArgv(args, options.configOverrides),
      options.cwd,
      env,
      options.input,
    );
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
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  input?: string,
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', argv, {
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
