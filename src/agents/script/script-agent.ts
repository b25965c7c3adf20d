import { userError } from '../../domain/index.js';
import type { AgentAdapter, AgentSession, SessionInput, SessionResult, Usage } from '../../domain/index.js';
import { createSession } from '../session.js';
import type { Emit } from '../session.js';
import { performStep } from './run-step.js';
import { parseScriptConfig, stepsForAttempt } from './script-config.js';

const NAME = 'script';

async function runScript(input: SessionInput, signal: AbortSignal, emit: Emit): Promise<SessionResult> {
  const nativeSessionId = `script-${input.attemptId}`;
  let written = 0;
  const usage = (): Usage => ({
    inputTokens: Math.round(input.prompt.length / 4),
    outputTokens: Math.round(written / 4),
    cachedInputTokens: 0,
    costUsd: 0,
  });
  const end = (status: SessionResult['status'], error?: string): SessionResult => {
    const total = usage();
    emit({ type: 'usage', usage: total });
    return error === undefined
      ? { status, nativeSessionId, usage: total }
      : { status, nativeSessionId, usage: total, error };
  };

  const parsed = parseScriptConfig(input.config);
  if (!parsed.success) return end('failed', `invalid script config: ${parsed.error}`);
  const steps = stepsForAttempt(parsed.config, input.attemptNumber);
  if (steps === undefined) {
    emit({ type: 'text', text: 'script agent: no steps configured, nothing to change' });
    return end('succeeded');
  }

  const context = { cwd: input.cwd, env: input.env, signal, emit, ask: input.ask };
  for (const [index, step] of steps.entries()) {
    if (signal.aborted) return end('aborted', 'aborted');
    const id = `step-${index}`;
    emit({ type: 'tool_call', id, name: step.kind, input: step.args });
    let outcome;
    try {
      outcome = await performStep(step, context);
    } catch (error) {
      if (signal.aborted) return end('aborted', 'aborted');
      const message = `step ${index} (${step.kind}): ${error instanceof Error ? error.message : String(error)}`;
      emit({ type: 'tool_result', id, output: message, isError: true });
      return end('failed', message);
    }
    written += outcome.written ?? 0;
    emit({ type: 'tool_result', id, output: outcome.output, ...(outcome.isError ? { isError: true } : {}) });
    if (outcome.stop) return end(outcome.stop.status, outcome.stop.error);
  }
  return end('succeeded');
}

/**
 * The deterministic agent: replays steps from its config (`steps`, or `attempts` for a
 * different script per attempt) so tests, benchmarks and the offline demo need no model.
 */
export function createScriptAgent(): AgentAdapter {
  return {
    name: NAME,
    capabilities: { resume: false, steer: true, permissionHook: false, questions: true, usage: true },
    async preflight(config) {
      const parsed = parseScriptConfig(config);
      if (!parsed.success) {
        throw userError(
          'GAFFER_BAD_INPUT',
          `invalid script agent config: ${parsed.error}`,
          'fix agents.script or the task agent_config',
        );
      }
    },
    start(input, signal): AgentSession {
      return createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        nativeSessionId: `script-${input.attemptId}`,
        run: (emit) => runScript(input, signal, emit),
        // Steering only leaves a trace: scripts are fixed, but the engine's steer path gets exercised.
        send: async (message, emit) => emit({ type: 'text', text: `steer: ${message}` }),
      });
    },
  };
}
