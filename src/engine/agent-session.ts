import type { AgentAdapter, SessionInput, SessionResult, Usage } from '../domain/index.js';
import { agentFailure, attemptRunning } from '../domain/index.js';
import type { RunContext } from './run-context.js';
import { TranscriptWriter } from './transcript.js';
import { SECRET_NAME } from './child-env.js';
import { redactSecrets } from './redact.js';
import { StopRequest } from './stop-request.js';
import { createQuestionRouter } from './question-router.js';
import { recordAttemptProcess } from './recovery/record-process.js';

/**
 * Runs one agent session to its end: streams its events into the transcript, routes its
 * questions through the event log, and turns whatever happens into a `SessionResult`
 * (adapters promise not to reject, but a broken one must not take the run down).
 */
export async function runAgentSession(
  ctx: RunContext,
  adapter: AgentAdapter,
  input: SessionInput,
  transcript: string,
  signal: AbortSignal,
): Promise<SessionResult> {
  // The values of the keys the agent was handed are masked wherever they turn up.
  const secrets = secretValues(input.env);
  const writer = new TranscriptWriter(transcript, undefined, secrets);
  const { store, run } = ctx;
  const attempt = { id: input.attemptId, runId: input.runId, taskId: input.taskId };
  const ask = createQuestionRouter(ctx, {
    attempt,
    signal,
    timeoutMs: run.plan.settings.question_timeout_s * 1000,
  });
  await store.transaction((tx) => tx.apply(attemptRunning(attempt)));
  let result: SessionResult;
  let lastUsage: Usage | undefined;
  // Our own controller too: if reading the session fails, the agent must stop before the
  // pipeline commits and evaluates its worktree.
  const local = new AbortController();
  const forward = () => local.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  if (signal.aborted) forward();
  let session: ReturnType<AgentAdapter['start']> | undefined;
  try {
    session = adapter.start({ ...input, ask }, local.signal);
    for await (const event of session.events) {
      await writer.write(event);
      if (event.type === 'usage') lastUsage = event.usage;
      if (event.type === 'session') {
        await store.transaction((tx) =>
          tx.updateAttempt(input.attemptId, { nativeSessionId: event.nativeSessionId }),
        );
      }
      // Recorded before anything else happens, so an engine taking over after a crash can end it.
      if (event.type === 'process') await recordAttemptProcess(store, input.attemptId, event);
    }
    result = await session.result;
  } catch (error) {
    if (!local.signal.aborted)
      local.abort(new StopRequest('cancel', 'the engine could not read the session'));
    // Adapters promise a result that never rejects; one that does has nothing more to say.
    await session?.result.catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.warn('reading the agent session failed', { attemptId: input.attemptId, error: message });
    result = {
      status: signal.aborted ? 'aborted' : 'failed',
      error: message,
      failure: agentFailure('crashed', message),
    };
  } finally {
    signal.removeEventListener('abort', forward);
  }
  await writer.flush();
  // Errors carry stderr tails and reach status views and events: no secrets there either.
  if (result.error) result = { ...result, error: redactSecrets(result.error, secrets) };
  return result.usage || !lastUsage ? result : { ...result, usage: lastUsage };
}

/** The values of the variables in an agent's environment whose names say they are secrets. */
function secretValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([name]) => SECRET_NAME.test(name))
    .map(([, value]) => value);
}
