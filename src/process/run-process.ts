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
  /**
   * Grace period between SIGTERM and SIGKILL, and how long output is awaited once the command has
   * exited or been killed (a daemon that left its group may hold the pipes open forever). Default 2s.
   */
  killGraceMs?: number;
  /**
   * Called with the child's pid, which is also its process group id, as soon as it runs: callers
   * record it so a later engine can end the group if this one dies first.
   */
  onSpawn?: (pid: number) => void;
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
 *
 * The outcome never waits on the pipes alone: a daemon the command started may keep stdout open
 * long after the command ended. Once the command has exited, output is awaited `killGraceMs`,
 * then the group gets SIGKILL. On a timeout or an abort the group gets SIGTERM, then SIGKILL
 * after `killGraceMs`. After the SIGKILL the pipes are awaited at most `killGraceMs` more (a
 * daemon that left the group may hold them forever), then closed, and the outcome resolves.
 */
export function runProcess(argv: readonly string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new Error('runProcess: empty argv'));
  const keep = options.keepChars ?? 64_000;
  const graceMs = options.killGraceMs ?? 2000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let output = '';
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, action: () => void) => void timers.push(setTimeout(action, ms));
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    const untrack = trackProcessGroup(pid);
    if (pid !== undefined) options.onSpawn?.(pid);
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
    const cleanup = () => {
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      untrack();
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      cleanup();
      // Leftover grandchildren in the group must not outlive the command.
      killProcessGroup(pid, 'SIGKILL');
      // Whoever still holds the pipes (a daemon that left the group) writes into the void now.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        output: output.slice(-keep),
        durationMs: Date.now() - started,
        timedOut,
        aborted,
      });
    };
    let reaping = false;
    // SIGKILL to the group; its pipes close as its members die, unless someone outside holds them.
    const reap = () => {
      if (reaping || settled) return;
      reaping = true;
      killProcessGroup(pid, 'SIGKILL');
      later(graceMs, finish);
    };
    const killTree = () => {
      if (exit !== undefined) return;
      killProcessGroup(pid, 'SIGTERM');
      later(graceMs, reap);
    };
    if (options.timeoutMs !== undefined) {
      later(options.timeoutMs, () => {
        if (exit !== undefined || settled) return;
        timedOut = true;
        killTree();
      });
    }
    const onAbort = () => {
      if (settled) return;
      aborted = true;
      killTree();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // What the group still writes is awaited a moment, not for as long as a daemon in it lives.
      later(graceMs, reap);
    });
    child.on('close', finish);
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
