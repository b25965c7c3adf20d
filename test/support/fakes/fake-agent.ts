import { createEventChannel } from '../../../src/agents/index.js';
import type {
  AgentAdapter,
  AgentCapabilities,
  AgentEvent,
  AgentFailure,
  SessionInput,
  SessionResult,
} from '../../../src/domain/index.js';
import { agentFailure } from '../../../src/domain/index.js';

/** One scripted session: what it emits, an optional effect on its worktree, and how it ends. */
export interface ScriptedSession {
  result: SessionResult;
  events?: AgentEvent[];
  /** Runs before the session ends, e.g. to write a deliverable into `input.cwd`. */
  act?: (input: SessionInput) => void | Promise<void>;
}

export const succeeded = (extra: Omit<SessionResult, 'status'> = {}): ScriptedSession => ({
  result: { status: 'succeeded', ...extra },
});

export const failed = (
  failure: AgentFailure,
  extra: Omit<SessionResult, 'status'> = {},
): ScriptedSession => ({
  result: { status: 'failed', error: failure.message, failure, ...extra },
});

export const aborted = (): ScriptedSession => ({ result: { status: 'aborted' } });

export interface FakeAgentOptions {
  name?: string;
  capabilities?: Partial<AgentCapabilities>;
  envKeys?: readonly string[];
}

/**
 * An agent whose sessions end as scripted, one script entry per `start`, and that records every
 * `SessionInput` it was started with. A start beyond the script fails as a `task_failed` session
 * saying so, which shows up in the task's reason instead of hanging the test.
 */
export class FakeAgent implements AgentAdapter {
  readonly name: string;
  readonly capabilities: AgentCapabilities;
  readonly envKeys: readonly string[];
  readonly inputs: SessionInput[] = [];
  private readonly script: ScriptedSession[];

  constructor(script: ScriptedSession[], options: FakeAgentOptions = {}) {
    this.script = [...script];
    this.name = options.name ?? 'fake';
    this.envKeys = options.envKeys ?? [];
    this.capabilities = {
      resume: true,
      steer: false,
      permissionHook: false,
      questions: false,
      usage: false,
      ...options.capabilities,
    };
  }

  start(input: SessionInput, signal: AbortSignal) {
    this.inputs.push(input);
    const next =
      this.script.shift() ?? failed(agentFailure('task_failed', 'the fake agent has no session left'));
    const events = createEventChannel<AgentEvent>();
    for (const event of next.events ?? []) events.push(event);
    const result = (async (): Promise<SessionResult> => {
      try {
        await next.act?.(input);
        return signal.aborted ? { status: 'aborted' } : next.result;
      } finally {
        events.end();
      }
    })();
    return { events, result, send: () => Promise.reject(new Error('the fake agent cannot be steered')) };
  }
}
