import type { AgentAdapter, AgentFailure, SessionInput, SessionResult, Usage } from '../../domain/index.js';
import { defineAgent } from '../define-agent.js';
import { createSession } from '../session.js';
import type { Backlog, Emit } from '../session.js';
import { performStep } from './run-step.js';
import { scriptConfigSchema, scriptIndex, stepsForAttempt } from './script-config.js';
import type { ScriptConfig } from './script-config.js';
import { scriptSessionId, tryOfSession } from './script-try.js';

const NAME = 'script';

/** Counts per task how often a `fail` step with `times` has failed; see {@link StepContext.failsAgain}. */
type FailCounter = (stepKey: string, times: number) => boolean;

async function runScript(
  input: SessionInput,
  config: ScriptConfig,
  failsAgain: FailCounter,
  signal: AbortSignal,
  emit: Emit,
  backlog: Backlog,
): Promise<SessionResult> {
  const tryNumber = tryOfSession(input);
  const nativeSessionId = scriptSessionId(input.attemptId, input.attemptNumber, tryNumber);
  let written = 0;
  const spent = { tokens: 0, costUsd: 0 };
  const usage = (): Usage => ({
    inputTokens: Math.round(input.prompt.length / 4),
    outputTokens: Math.round(written / 4) + spent.tokens,
    cachedInputTokens: 0,
    costUsd: spent.costUsd,
  });
  const end = (status: SessionResult['status'], error?: string, failure?: AgentFailure): SessionResult => {
    const total = usage();
    emit({ type: 'usage', usage: total });
    return {
      status,
      nativeSessionId,
      usage: total,
      ...(error === undefined ? {} : { error }),
      ...(failure === undefined ? {} : { failure }),
    };
  };

  const steps = stepsForAttempt(config, tryNumber);
  if (steps === undefined) {
    emit({ type: 'text', text: 'script agent: no steps configured, nothing to change' });
    return end('succeeded');
  }

  for (const [index, step] of steps.entries()) {
    if (signal.aborted) return end('aborted', 'aborted');
    const id = `step-${index}`;
    const context = {
      cwd: input.cwd,
      env: input.env,
      ...(input.sandbox ? { sandbox: input.sandbox } : {}),
      signal,
      emit,
      backlog,
      ask: input.ask,
      failsAgain,
      // Per script step, not per session: `times` counts the sessions of the task reaching it.
      stepKey: `${input.runId}/${input.taskId}/${scriptIndex(config, tryNumber)}/${index}`,
    };
    emit({ type: 'tool_call', id, name: step.kind, input: step.args });
    let outcome;
    try {
      outcome = await performStep(step, context);
    } catch (error) {
      if (signal.aborted) return end('aborted', 'aborted');
      const message = `step ${index} (${step.kind}): ${error instanceof Error ? error.message : String(error)}`;
      emit({ type: 'tool_result', id, output: message, isError: true });
      // An I/O error of our own, not a verdict on the task.
      return end('failed', message, { kind: 'crashed', retryable: true, message });
    }
    written += outcome.written ?? 0;
    if (outcome.spent) {
      spent.tokens += outcome.spent.tokens;
      spent.costUsd += outcome.spent.costUsd;
      emit({ type: 'usage', usage: usage() });
    }
    emit({ type: 'tool_result', id, output: outcome.output, ...(outcome.isError ? { isError: true } : {}) });
    if (outcome.stop) return end(outcome.stop.status, outcome.stop.error, outcome.stop.failure);
  }
  return end('succeeded');
}

/**
 * The deterministic agent: replays steps from its config (`steps`, or `attempts` for a
 * different script per try of the work, see {@link tryOfSession}) so tests, benchmarks and the
 * offline demo need no model. A `fail` step can end the session with any failure kind, to
 * exercise the engine's retries.
 */
export function createScriptAgent(): AgentAdapter {
  const failures = new Map<string, number>();
  const failsAgain: FailCounter = (stepKey, times) => {
    const count = failures.get(stepKey) ?? 0;
    failures.set(stepKey, count + 1);
    return count < times;
  };
  return defineAgent({
    name: NAME,
    capabilities: { resume: false, steer: true, permissionHook: false, questions: true, usage: true },
    configSchema: scriptConfigSchema,
    configHint: 'fix agents.script or the task agent_config',
    start(input, config, signal) {
      return createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        nativeSessionId: scriptSessionId(input.attemptId, input.attemptNumber, tryOfSession(input)),
        run: (emit, backlog) => runScript(input, config, failsAgain, signal, emit, backlog),
        // Steering only leaves a trace: scripts are fixed, but the engine's steer path gets exercised.
        send: async (message, emit) => emit({ type: 'text', text: `steer: ${message}` }),
      });
    },
  });
}
