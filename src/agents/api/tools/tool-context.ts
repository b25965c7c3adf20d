import type { ToolExecutionOptions } from 'ai';
import type { AgentEvent, CommandSandbox } from '../../../domain/index.js';
import { PolicyRefusal } from './tool-paths.js';
import type { ToolRoot } from './tool-paths.js';

/** What every built-in tool needs from its session. */
export interface ToolContext extends ToolRoot {
  /** The session's explicit environment, for commands. */
  env: Record<string, string>;
  /** The session's OS sandbox: run_command goes through it. */
  sandbox?: CommandSandbox;
  /** Upper bound for run_command, in seconds. */
  commandTimeoutS: number;
  /** Routes a question to the engine, when the session has someone to ask. */
  ask: ((question: string) => Promise<string>) | undefined;
  /**
   * Queues an event to be emitted just before the call's `tool_result` (a refusal, a question),
   * so the transcript reads call → refusal → result however the SDK interleaves its stream.
   */
  note(toolCallId: string, event: AgentEvent): void;
  /** Told at once when a command starts (its own process group), so a crash never leaves it unrecorded. */
  onProcess(pid: number, command: string): void;
  /**
   * Commands still running, each until its whole process tree is gone: an aborted session waits
   * for them before it ends, so the engine never finds its worktree busy after the outcome.
   */
  running: Set<Promise<unknown>>;
}

/** Settles with `work`, or rejects as soon as `signal` aborts (the SDK waits for tools before it stops). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Runs a tool body until it settles or the session aborts; a {@link PolicyRefusal} becomes a
 * `denied` event plus an error the model sees as the tool's result, so it can change course
 * instead of the session failing.
 */
export async function guarded(
  ctx: ToolContext,
  tool: string,
  input: unknown,
  options: ToolExecutionOptions,
  body: () => Promise<string>,
): Promise<string> {
  try {
    return await untilAborted(body(), options.abortSignal);
  } catch (error) {
    if (error instanceof PolicyRefusal) {
      ctx.note(options.toolCallId, { type: 'denied', tool, input, reason: error.message });
      throw new Error(`refused by Gaffer's permission policy: ${error.message}`);
    }
    throw error;
  }
}

/** The message of whatever was thrown. */
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
