import type { AttemptKind } from './records.js';
import type { PlanTask } from './plan.js';

/** Token counts and cost of one session (or a sum of them). */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
}

export const ZERO_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  costUsd: 0,
});

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

/** A command made ready to run inside a sandbox: spawn `argv` with exactly `env`, no shell. */
export interface SandboxedCommand {
  argv: string[];
  env: Record<string, string>;
}

/**
 * The OS sandbox of one session (or one check): every child Gaffer starts on a task's behalf
 * is wrapped by it. `enabled` is false only under the plan's `sandbox: off`, where `wrap`
 * returns the command as it is.
 */
export interface CommandSandbox {
  readonly enabled: boolean;
  /** A private temporary directory, visible at this same path inside (TMPDIR points at it). */
  readonly tmpDir: string;
  wrap(argv: readonly string[], env: Record<string, string>): SandboxedCommand;
}

/** What a backend's own processes need beyond the default policy: their state directory, their API hosts. */
export interface SandboxNeeds {
  /** Directories or files the CLI must write besides its state (a missing file is left out). */
  writable: string[];
  /** Hosts (`host` or `host:port`) the backend's process must reach: its model API. */
  network: string[];
  /**
   * The CLI keeps its login, settings and session records in a state directory. The engine gives
   * each task a private one (`SessionInput.stateDir`), seeded with these files of the user's own:
   * what an agent writes there (a hook, a `notify` program) reaches neither the user's next run
   * of that CLI nor another task.
   */
  state?: { seed: StateSeed[] };
}

/** A file of the user's CLI state copied into a task's private state directory when it is made. */
export interface StateSeed {
  /** Absolute path of the user's file; a missing one is skipped. */
  from: string;
  /** Path inside the private state directory. */
  to: string;
}

/** What the engine knows about the run a preflight is for. */
export interface PreflightContext {
  /** Whether the run's sessions will run in Gaffer's sandbox (false under the plan's `sandbox: off`); default true. */
  sandboxed: boolean;
}

/** Everything an adapter needs to run one attempt. */
export interface SessionInput {
  runId: string;
  taskId: string;
  attemptId: string;
  /** 1 for the first attempt, 2 for the first rework, … */
  attemptNumber: number;
  kind: AttemptKind;
  /**
   * Which try of the work this is: the task's first and rework attempts so far, this one
   * included (a resume or retry continues the try before it). The engine always sets it.
   */
  tryNumber?: number;
  task: PlanTask;
  prompt: string;
  /** The attempt's worktree; the agent may change files only here. */
  cwd: string;
  /** Backend settings: the plan's `settings.agents[<name>]` merged with the task's `agent_config`. */
  config: Record<string, unknown>;
  /** The explicit environment for the agent process (never the whole parent environment). */
  env: Record<string, string>;
  /** Globs relative to `cwd` that must not change. */
  protectedPaths: readonly string[];
  /** The agent's own session id from an interrupted attempt, for adapters that can resume. */
  resumeSessionId?: string;
  /** Route a question from the agent; resolves with the answer. */
  ask?: (question: string) => Promise<string>;
  /** Every process the adapter starts for this session goes through it; absent only outside the engine (unit tests). */
  sandbox?: CommandSandbox;
  /**
   * The task's private state directory for the CLI (see `SandboxNeeds.state`), used instead of
   * the user's own; it outlives the attempt, so a resume finds its session. Absent outside the engine.
   */
  stateDir?: string;
}

/** What an agent reports while it works. */
export type AgentEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; id?: string; name: string; input: unknown }
  | { type: 'tool_result'; id?: string; output: string; isError?: boolean }
  | { type: 'usage'; usage: Usage }
  | { type: 'question'; question: string; answer?: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  /** The agent's own session id, as soon as it is known, so a crash can still resume it. */
  | { type: 'session'; nativeSessionId: string }
  /** A tool use the permission policy refused (write outside the worktree, protected path, denied command). */
  | { type: 'denied'; tool: string; input: unknown; reason: string }
  | { type: 'error'; message: string }
  /**
   * A process group the agent started (itself, or a command it ran), as soon as it runs, so an
   * engine that takes over after a crash can end it before another attempt uses the worktree.
   */
  | { type: 'process'; pid: number; pgid: number; command: string };

export const AGENT_FAILURE_KINDS = [
  'rate_limited',
  'server_error',
  'auth',
  'config',
  'binary_missing',
  'timeout',
  'crashed',
  'task_failed',
] as const;
export type AgentFailureKind = (typeof AGENT_FAILURE_KINDS)[number];

/** Why a session failed, typed so the engine can retry transient failures and stop at once on configuration ones. */
export interface AgentFailure {
  kind: AgentFailureKind;
  retryable: boolean;
  /** The server's Retry-After, when it gave one. */
  retryAfterMs?: number;
  message: string;
  /** One line telling the user how to fix it (for auth/config/binary_missing). */
  hint?: string;
}

/** Kinds that say nothing about the task itself: the same session may well work a moment later. */
const TRANSIENT_KINDS: ReadonlySet<AgentFailureKind> = new Set([
  'rate_limited',
  'server_error',
  'timeout',
  'crashed',
]);

/** True for the kinds a retry can cure (rate limits, outages, timeouts, crashes). */
export function isTransientFailureKind(kind: AgentFailureKind): boolean {
  return TRANSIENT_KINDS.has(kind);
}

/** A typed failure whose `retryable` follows from its kind; `extra` adds the Retry-After and a hint. */
export function agentFailure(
  kind: AgentFailureKind,
  message: string,
  extra: { retryAfterMs?: number; hint?: string } = {},
): AgentFailure {
  return {
    kind,
    retryable: isTransientFailureKind(kind),
    message,
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
    ...(extra.hint === undefined ? {} : { hint: extra.hint }),
  };
}

export interface SessionResult {
  status: 'succeeded' | 'failed' | 'aborted';
  nativeSessionId?: string;
  usage?: Usage;
  /** Human-readable reason when not succeeded. */
  error?: string;
  /** Set whenever `status` is 'failed': what kind of failure, for the retry policy. */
  failure?: AgentFailure;
}

/** One running agent session. */
export interface AgentSession {
  /** Every event the agent emits, in order; ends when the session ends. */
  events: AsyncIterable<AgentEvent>;
  /** Steer a running session with a new message. */
  send(message: string): Promise<void>;
  /** Settles once the session has ended (never rejects: failures are a `failed` result). */
  result: Promise<SessionResult>;
}

export interface AgentCapabilities {
  resume: boolean;
  steer: boolean;
  permissionHook: boolean;
  questions: boolean;
  usage: boolean;
}

/** The one interface every agent backend implements. */
export interface AgentAdapter {
  readonly name: string;
  readonly capabilities: AgentCapabilities;
  /** Variables this backend takes from the parent environment by default (its keys, base URLs). */
  readonly envKeys?: readonly string[];
  /**
   * Throws a user error (e.g. missing binary, no credentials) before anything runs. `env` is the
   * engine's parent environment: adapters read it, never `process.env`.
   */
  preflight?(
    config: Record<string, unknown>,
    env: Record<string, string | undefined>,
    context?: PreflightContext,
  ): Promise<void>;
  /** What this backend's processes need inside the sandbox (login directories, API hosts); default nothing. */
  sandboxNeeds?(config: Record<string, unknown>, env: Record<string, string | undefined>): SandboxNeeds;
  start(input: SessionInput, signal: AbortSignal): AgentSession;
}
