import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CancelledError, TimeoutError } from '../domain/index.js';
import { startMarkOf } from './process-table.js';
import { watchProcessTree } from './process-tree.js';

export interface RunProcessOptions {
  cwd: string;
  /** The whole environment of the child; never merged with ours implicitly. */
  env: Record<string, string>;
  /** Kill the process tree after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Written to the child's stdin, which is then closed. */
  stdin?: string;
  /**
   * Called with every chunk of output, in the order the chunks arrived. A returned promise is
   * backpressure: until it settles nothing more is delivered and the child's pipes are not
   * read, so the child blocks on its next write once they are full, as it would in a terminal
   * nobody scrolls. A rejection ends the process tree and becomes the rejection of the run.
   */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void | Promise<void>;
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
 * How long the outcome waits, after the SIGKILL, for the killed processes to be gone. They go in
 * milliseconds; the bound is for one stuck in the kernel, which must not hang the run.
 */
const EXIT_WAIT_MS = 5000;

/**
 * Runs `argv` without a shell in its own process group, so a timeout or an abort kills the
 * whole tree (test runners spawn workers that would otherwise outlive us). Never throws for a
 * non-zero exit: the caller judges the outcome. Throws only when the binary cannot be started
 * (or when `onOutput` rejects).
 *
 * On a timeout or an abort "the tree" is the group and every process below the command when the
 * kill starts, in whatever session: a sandboxed command runs below bwrap in a session and PID
 * namespace of its own, which die only a moment after bwrap. Whatever was killed (the tree, or
 * the group's leftovers after an exit) is gone when the outcome resolves, so the caller finds
 * the worktree idle; a daemon that left the group before the command exited is not followed.
 *
 * The outcome never waits on the pipes alone: a daemon the command started may keep stdout open
 * long after the command ended. Once the command has exited, output is awaited `killGraceMs`,
 * then the group gets SIGKILL. On a timeout or an abort the tree gets SIGTERM, then SIGKILL
 * after `killGraceMs`. After the SIGKILL the pipes are awaited at most `killGraceMs` more (a
 * daemon that left the group may hold them forever), then closed, and the outcome resolves once
 * the killed processes are gone (at most {@link EXIT_WAIT_MS} more).
 * Those waits for output only count while output is being read: time spent paused by
 * `onOutput` is the reader's, and what the command wrote before it exited is never cut off
 * because the reader was slow. The outcome resolves once every chunk read has been delivered.
 */
export function runProcess(argv: readonly string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new Error('runProcess: empty argv'));
  const keep = options.keepChars ?? 64_000;
  const graceMs = options.killGraceMs ?? 2000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tail = createOutputTail(keep);
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    let outputError: { error: unknown } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, action: () => void) => void timers.push(setTimeout(action, ms));
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    // Read at once: the mark tells the child from a later process given its pid.
    const tree = pid === undefined ? undefined : watchProcessTree(pid, startMarkOf(pid));
    const untrack = trackProcessGroup(pid);
    if (pid !== undefined) options.onSpawn?.(pid);
    const streams = [child.stdout, child.stderr].filter((stream): stream is Readable => stream !== null);
    // Waits for output run only while the pipes are read (see above).
    const whileReading = createReadingClock();
    const delivery = createDelivery(options.onOutput, {
      pause: () => {
        for (const stream of streams) stream.pause();
        whileReading.stop();
      },
      resume: () => {
        if (settled) return;
        for (const stream of streams) stream.resume();
        whileReading.start();
      },
      fail: (error) => {
        outputError ??= { error };
        killTree();
      },
    });
    const append = (stream: 'stdout' | 'stderr') => {
      // One decoder per stream, so a character split across chunks is not garbled.
      const decoder = new StringDecoder('utf8');
      return (chunk: Buffer) => {
        const text = decoder.write(chunk);
        tail.append(text);
        delivery.deliver(stream, text);
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
      whileReading.clear();
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
      // What was read reaches onOutput before the outcome, so callers see all of it, in order;
      // and what was killed has gone.
      void Promise.all([delivery.idle(), endLeftovers()]).then(() => {
        if (outputError !== undefined) {
          const { error } = outputError;
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          output: tail.text(),
          durationMs: Date.now() - started,
          timedOut,
          aborted,
        });
      });
    };
    let reaping = false;
    // SIGKILL to the tree; its pipes close as its members die, unless someone outside holds them.
    const reap = () => {
      if (reaping || settled) return;
      reaping = true;
      killProcessGroup(pid, 'SIGKILL');
      tree?.signal('SIGKILL');
      whileReading.after(graceMs, finish);
    };
    // Set once a timeout, an abort or a failing reader ends the tree: its members are noted by then.
    let terminating: Promise<void> | undefined;
    function killTree() {
      if (exit !== undefined || terminating !== undefined) return;
      // Noted before any signal: once the command is dead, what it started hangs below it no more.
      terminating = (tree?.note({ descendants: true }) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => {
          if (settled) return;
          killProcessGroup(pid, 'SIGTERM');
          tree?.signal('SIGTERM');
          later(graceMs, reap);
        });
    }
    /** SIGKILL to what is left of the tree (after an exit: of the group), then waits until it is gone. */
    async function endLeftovers(): Promise<void> {
      if (tree === undefined) return;
      if (terminating !== undefined) await terminating;
      else if (groupExists(pid)) await tree.note({ descendants: false }).catch(() => undefined);
      else return;
      killProcessGroup(pid, 'SIGKILL');
      tree.signal('SIGKILL');
      await tree.gone(EXIT_WAIT_MS);
    }
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
      whileReading.after(graceMs, reap);
    });
    child.on('close', finish);
  });
}

/** The last `keep` characters of a stream of chunks, kept as the chunks themselves. */
export interface OutputTail {
  append(text: string): void;
  /** The last `keep` characters appended. */
  text(): string;
}

/**
 * Creates an {@link OutputTail}. Chunks are kept as they came and the oldest dropped once the
 * rest still hold `keep` characters, so a chunk costs no copy of the tail (a `tail += chunk`
 * then `slice` made a new string of up to twice `keep` per chunk); the one join is at the end.
 */
export function createOutputTail(keep: number): OutputTail {
  let chunks: string[] = [];
  let head = 0;
  let length = 0;
  return {
    append(text) {
      if (text === '') return;
      chunks.push(text);
      length += text.length;
      while (head < chunks.length - 1 && length - (chunks[head]?.length ?? 0) >= keep) {
        length -= chunks[head]?.length ?? 0;
        chunks[head] = '';
        head += 1;
      }
      // Compact now and then instead of shift(), which is O(n) per call.
      if (head > 1024 && head * 2 > chunks.length) {
        chunks = chunks.slice(head);
        head = 0;
      }
    },
    text() {
      const joined = chunks.slice(head).join('');
      return joined.length > keep ? joined.slice(-keep) : joined;
    },
  };
}

interface DeliveryControl {
  /** Stop reading the child's pipes: `onOutput` is behind. */
  pause(): void;
  /** Read them again. */
  resume(): void;
  /** `onOutput` threw or rejected: nothing more is delivered. */
  fail(error: unknown): void;
}

/**
 * Hands chunks to `onOutput` one at a time, in order. While a returned promise is pending the
 * pipes are paused and whatever still arrives (a chunk already on its way) waits its turn here.
 */
function createDelivery(onOutput: RunProcessOptions['onOutput'], control: DeliveryControl) {
  const queue: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  let busy = false;
  let failed = false;
  let idleWaiters: (() => void)[] = [];
  const settleIdle = () => {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const fail = (error: unknown) => {
    failed = true;
    queue.length = 0;
    busy = false;
    control.fail(error);
    // The child's output now goes nowhere; reading on lets it run to its end (or its kill).
    control.resume();
    settleIdle();
  };
  const pump = () => {
    while (!busy && !failed) {
      const next = queue.shift();
      if (next === undefined) {
        settleIdle();
        return;
      }
      let pending: void | Promise<void>;
      try {
        pending = onOutput?.(next.stream, next.text);
      } catch (error) {
        fail(error);
        return;
      }
      if (pending === undefined || typeof pending.then !== 'function') continue;
      busy = true;
      control.pause();
      pending.then(
        () => {
          busy = false;
          control.resume();
          pump();
        },
        (error: unknown) => fail(error),
      );
    }
  };
  return {
    deliver(stream: 'stdout' | 'stderr', text: string) {
      if (failed || text === '') return;
      queue.push({ stream, text });
      pump();
    },
    /** Resolves once every chunk handed over has been delivered (or delivery failed). */
    idle(): Promise<void> {
      if (failed || (!busy && queue.length === 0)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/**
 * Timers that count only the time the child's output is being read: stopped, they keep what is
 * left of their wait and go on from there once started again. Counting (not restarting) keeps
 * a reader that pauses often from postponing them forever.
 */
function createReadingClock() {
  interface Entry {
    leftMs: number;
    action: () => void;
    armedAt?: number;
    timer?: NodeJS.Timeout;
  }
  const pending = new Set<Entry>();
  let reading = true;
  const arm = (entry: Entry) => {
    entry.armedAt = Date.now();
    entry.timer = setTimeout(() => {
      pending.delete(entry);
      entry.action();
    }, entry.leftMs);
  };
  return {
    after(ms: number, action: () => void) {
      const entry: Entry = { leftMs: ms, action };
      pending.add(entry);
      if (reading) arm(entry);
    },
    stop() {
      if (!reading) return;
      reading = false;
      const now = Date.now();
      for (const entry of pending) {
        clearTimeout(entry.timer);
        entry.leftMs = Math.max(0, entry.leftMs - (now - (entry.armedAt ?? now)));
      }
    },
    start() {
      if (reading) return;
      reading = true;
      for (const entry of pending) arm(entry);
    },
    clear() {
      for (const entry of pending) clearTimeout(entry.timer);
      pending.clear();
    },
  };
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

/** Whether any process is left in the group led by `pid`. */
function groupExists(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    // EPERM: somebody is there, only not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
