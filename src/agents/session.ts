import { agentFailure, GafferError } from '../domain/index.js';
import type { AgentEvent, AgentSession, SessionResult } from '../domain/index.js';
import { createEventChannel } from './event-channel.js';
import { unusableCwd } from './worktree-path.js';

/** Sends one event to the session's stream. */
export type Emit = (event: AgentEvent) => void;

/**
 * How far the session's reader (the engine, writing each event to the transcript) is behind.
 * `emit` never blocks, so a producer that can wait — a child process whose pipes can fill up,
 * as they do in a terminal — asks here before it reads more; one that cannot just emits.
 */
export interface Backlog {
  /** Events emitted and not yet read. */
  readonly queued: number;
  /** True once {@link SESSION_HIGH_WATER_MARK} events are queued. */
  readonly full: boolean;
  /** Resolves once the reader has caught up by half, or stopped reading; never rejects. */
  whenWritable(): Promise<void>;
}

/**
 * Events a session queues before its backlog reads as full. A line of output is one event of a
 * few hundred bytes, so this keeps an agent's unread output well under a megabyte.
 */
export const SESSION_HIGH_WATER_MARK = 1024;

export interface CreateSessionOptions {
  /** The session's abort signal: a failure seen after an abort is reported as `aborted`. */
  signal: AbortSignal;
  /** Backend name, for messages. */
  agent: string;
  /** The worktree the agent works in; a missing one fails the session before `run`. */
  cwd: string;
  /** Put on results the body did not label itself (including crashes). */
  nativeSessionId?: string;
  /** Does the work; may throw, which becomes a `failed` result. */
  run: (emit: Emit, backlog: Backlog) => Promise<SessionResult>;
  /** Steering; when absent `send` rejects because the backend cannot be steered. */
  send?: (message: string, emit: Emit) => Promise<void>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Wraps a backend's work into an {@link AgentSession} with the guarantees every adapter owes the
 * engine: events are buffered until read and end when the session ends, and `result` never
 * rejects. A failed result is also emitted as an `error` event so transcripts show why.
 */
export function createSession(options: CreateSessionOptions): AgentSession {
  const channel = createEventChannel<AgentEvent>({ highWaterMark: SESSION_HIGH_WATER_MARK });
  const emit: Emit = (event) => void channel.push(event);
  const backlog: Backlog = {
    get queued() {
      return channel.size;
    },
    get full() {
      return channel.size >= SESSION_HIGH_WATER_MARK;
    },
    whenWritable: () => channel.whenWritable(),
  };
  const { signal, nativeSessionId } = options;

  const settle = async (): Promise<SessionResult> => {
    let result: SessionResult;
    try {
      const badCwd = signal.aborted ? undefined : await unusableCwd(options.cwd);
      result = signal.aborted
        ? { status: 'aborted', error: 'aborted' }
        : badCwd !== undefined
          ? {
              status: 'failed',
              error: badCwd,
              // Running again in the same missing place cannot help: stop the task instead.
              failure: agentFailure('config', badCwd, {
                hint: "the attempt's worktree is gone; resume the run",
              }),
            }
          : await options.run(emit, backlog);
    } catch (error) {
      // An exception is not a verdict on the work: the same session may well succeed again.
      result = {
        status: 'failed',
        error: messageOf(error),
        failure: agentFailure('crashed', messageOf(error)),
      };
    }
    if (signal.aborted && result.status === 'failed') {
      const { failure: _dropped, ...rest } = result;
      result = { ...rest, status: 'aborted', error: 'aborted' };
    }
    if (result.status === 'failed' && result.failure === undefined) {
      // A backend that did not say why its session failed gets the verdict that spends no retries.
      result = { ...result, failure: agentFailure('task_failed', result.error ?? 'failed') };
    }
    if (nativeSessionId !== undefined) result = { nativeSessionId, ...result };
    if (result.status === 'failed') emit({ type: 'error', message: result.error ?? 'failed' });
    return result;
  };

  const result = settle().finally(() => channel.end());
  return {
    events: channel,
    result,
    send(message) {
      if (options.send) return options.send(message, emit);
      return Promise.reject(
        new GafferError('GAFFER_BAD_INPUT', `the ${options.agent} agent cannot be steered`, {
          hint: 'check adapter.capabilities.steer before calling send()',
        }),
      );
    },
  };
}
