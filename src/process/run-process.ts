import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { CancelledError, TimeoutError } from '../domain/index.js';

export interface RunProcessOptions {
  cwd: string;
  /** The whole environment of the child; never merged with ours implicitly. */
  env: Record<string, string>;
  /** Kill the process tree after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Written to the child's stdin, which is then closed. */
  stdin?: string;
  /** Called with every chunk of output as it arrives. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** How many characters of combined output to keep (the tail). Default 64k. */
  keepChars?: number;
  /** Grace period between SIGTERM and SIGKILL. Default 2s. */
  killGraceMs?: number;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last `keepChars` characters of stdout and stderr, interleaved as they arrived. */
  output: string;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
}

/**
 * Runs `argv` without a shell in its own process group, so a timeout or an abort kills the
 * whole tree (test runners spawn workers that would otherwise outlive us). Never throws for a
 * non-zero exit: the caller judges the outcome. Throws only when the binary cannot be started.
 */
export function runProcess(argv: readonly string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new Error('runProcess: empty argv'));
  const keep = options.keepChars ?? 64_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let output = '';
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const untrack = trackProcessGroup(child.pid);
    const append = (stream: 'stdout' | 'stderr') => {
      // One decoder per stream, so a character split across chunks is not garbled.
      const decoder = new StringDecoder('utf8');
      return (chunk: Buffer) => {
        const text = decoder.write(chunk);
        output += text;
        if (output.length > keep * 2) output = output.slice(-keep);
        options.onOutput?.(stream, text);
      };
    };
    child.stdout?.on('data', append('stdout'));
    child.stderr?.on('data', append('stderr'));
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the child may exit without reading
      child.stdin.end(options.stdin);
    }
    const killTree = () => {
      killProcessGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => killProcessGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 2000);
    };
    const timeout =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killTree();
          }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killTree();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      cleanup();
      untrack();
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      cleanup();
      untrack();
      // Leftover grandchildren in the group must not outlive the command.
      killProcessGroup(child.pid, 'SIGKILL');
      resolve({
        exitCode,
        signal,
        output: output.slice(-keep),
        durationMs: Date.now() - started,
        timedOut,
        aborted,
      });
    });
  });
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Remembers a detached process group so it dies with us: children run in their own groups (so
 * a timeout can kill a whole tree), which also means the terminal's Ctrl-C never reaches them.
 * Returns the function that forgets it once the child has exited.
 */
export function trackProcessGroup(pid: number | undefined): () => void {
  if (pid === undefined) return () => undefined;
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) killProcessGroup(group, 'SIGKILL');
    });
  }
  return () => liveGroups.delete(pid);
}

/** Sends `signal` to the process group led by `pid`; silent when it is already gone. */
export function killProcessGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already exited
  }
}

/** Rejects with CancelledError when aborted, TimeoutError on timeout; for callers that want throws. */
export function outcomeError(
  argv: readonly string[],
  outcome: ProcessOutcome,
  timeoutMs?: number,
): Error | undefined {
  if (outcome.aborted) return new CancelledError(`${argv[0]} was aborted`);
  if (outcome.timedOut)
    return new TimeoutError(`${argv[0]} timed out after ${timeoutMs ?? 0} ms`, timeoutMs ?? 0);
  return undefined;
}

const ENV_ALLOWLIST = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TERM',
  'TMPDIR',
  'TZ',
];

/**
 * The explicit environment for a child process: an allowlist of harmless variables plus the
 * keys asked for by name. Agents and verifiers never inherit the whole parent environment,
 * where unrelated secrets live.
 */
export function allowlistedEnv(
  parent: Record<string, string | undefined>,
  extraKeys: readonly string[] = [],
  overrides: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of [...ENV_ALLOWLIST, ...extraKeys]) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...overrides };
}
