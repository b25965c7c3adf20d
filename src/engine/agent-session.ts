import type { AgentAdapter, SessionInput, SessionResult, Usage } from '../domain/index.js';
import { agentFailure, attemptRunning } from '../domain/index.js';
import type { RunContext } from './run-context.js';
import { TranscriptWriter } from './transcript.js';
import { redactSecrets } from './redact.js';
import { configuredKeyValues, knownSecretValues } from './secrets.js';
import { StopRequest } from './stop-request.js';
import { createQuestionRouter } from './question-router.js';
import { recordAttemptProcess } from './recovery/record-process.js';
import {
  agentSandboxRequest,
  agentStateDir,
  openSandbox,
  prepareAgentState,
  redactStateRecords,
} from './sandbox/index.js';

/** How often a streaming session's running usage is written to its attempt. */
const USAGE_SAVE_MS = 2000;

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
  // Every secret Gaffer knows is masked wherever it turns up: the keys the agent was handed
  // (under whatever name its config gives them) and those of the parent environment, which
  // an agent may find in a file or another process.
  const secrets = knownSecretValues(input.env, [
    ...configuredKeyValues(input.config, input.env),
    ...knownSecretValues(ctx.env),
  ]);
  const writer = new TranscriptWriter(transcript, undefined, secrets);
  const { store, run } = ctx;
  const attempt = { id: input.attemptId, runId: input.runId, taskId: input.taskId };
  const route = createQuestionRouter(ctx, {
    attempt,
    signal,
    timeoutMs: run.plan.settings.question_timeout_s * 1000,
  });
  // The question is stored in the event log and shown in status views.
  const ask = (question: string) => route(redactSecrets(question, secrets));
  await store.transaction((tx) => tx.apply(attemptRunning(attempt)));
  let result: SessionResult;
  let lastUsage: Usage | undefined;
  let usageSavedAt = 0;
  // Our own controller too: if reading the session fails, the agent must stop before the
  // pipeline commits and evaluates its worktree.
  const local = new AbortController();
  const forward = () => local.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  if (signal.aborted) forward();
  let session: ReturnType<AgentAdapter['start']> | undefined;
  const needs = adapter.sandboxNeeds?.(input.config, ctx.env) ?? { writable: [], network: [] };
  // The CLI's state is the task's own copy, never the user's: see SandboxNeeds.state.
  const stateDir =
    needs.state === undefined
      ? undefined
      : prepareAgentState(
          agentStateDir(ctx.repo.root, input.runId, input.taskId, adapter.name),
          needs.state.seed,
        );
  // Coarse on purpose: a record the CLI touched in the same second as the last session ended is redacted again.
  const sessionStart = Date.now() - 1000;
  // Every process of the session runs in it; it is gone (with its temporary directory) when the session is.
  const sandbox = await openSandbox({
    ...agentSandboxRequest(ctx, input.cwd, input.task, needs, input.config, stateDir),
    // Refusals are kept in the database, where no agent can reach them (its transcript could be edited).
    onDenied: (target) => recordNetworkDenial(ctx, attempt, target),
  });
  try {
    session = adapter.start(
      { ...input, ask, sandbox: sandbox.sandbox, ...(stateDir === undefined ? {} : { stateDir }) },
      local.signal,
    );
    for await (const event of session.events) {
      await writer.write(event);
      if (event.type === 'usage') {
        lastUsage = event.usage;
        // The budget breakers see usage as it streams, not when the session ends.
        ctx.spend?.sessionUsage(input.attemptId, event.usage);
        // Kept on the attempt now and then, so a kill -9 mid-session loses at most a few seconds of
        // spending (recovery keeps what is stored) and status shows a running session's usage.
        if (Date.now() - usageSavedAt >= USAGE_SAVE_MS) {
          usageSavedAt = Date.now();
          const usage = event.usage;
          await store.transaction((tx) => tx.updateAttempt(input.attemptId, { usage }));
        }
      }
      if (event.type === 'session') {
        await store.transaction((tx) =>
          tx.updateAttempt(input.attemptId, { nativeSessionId: event.nativeSessionId }),
        );
      }
      // Recorded before anything else happens, so an engine taking over after a crash can end it.
      // Its command line is stored on the attempt row: it can carry a credential.
      if (event.type === 'process')
        await recordAttemptProcess(store, input.attemptId, {
          ...event,
          command: redactSecrets(event.command, secrets),
        });
      // A refusal is kept where the agent cannot edit it: the transcript is only a copy.
      if (event.type === 'denied')
        await store.transaction((tx) =>
          tx.appendEvent({
            type: 'attempt.denied',
            runId: input.runId,
            taskId: input.taskId,
            attemptId: input.attemptId,
            data: {
              tool: event.tool,
              reason: redactSecrets(event.reason, secrets),
              input: redactSecrets(JSON.stringify(event.input) ?? '', secrets).slice(0, 500),
            },
          }),
        );
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
    await sandbox.dispose();
    // Every process of the session is gone: what it recorded in its state can be rewritten.
    if (stateDir !== undefined)
      await redactStateRecords(stateDir, secrets, sessionStart).catch((error: unknown) =>
        ctx.logger.warn('could not redact the agent CLI’s session records', {
          attemptId: input.attemptId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  }
  await writer.flush();
  ctx.spend?.sessionEnded(input.attemptId, result.usage ?? lastUsage);
  // Errors carry stderr tails and reach status views and events: no secrets there either.
  result = redactResult(result, secrets);
  return result.usage || !lastUsage ? result : { ...result, usage: lastUsage };
}

/** The result's error and failure, which are stored on the attempt and in its events, redacted. */
function redactResult(result: SessionResult, secrets: readonly string[]): SessionResult {
  const { error, failure } = result;
  return {
    ...result,
    ...(error === undefined ? {} : { error: redactSecrets(error, secrets) }),
    ...(failure === undefined
      ? {}
      : {
          failure: {
            ...failure,
            message: redactSecrets(failure.message, secrets),
            ...(failure.hint === undefined ? {} : { hint: redactSecrets(failure.hint, secrets) }),
          },
        }),
  };
}

/** One host the session's sandbox refused, as an event of its attempt; a failed write only loses that record. */
function recordNetworkDenial(
  ctx: RunContext,
  attempt: { id: string; runId: string; taskId: string },
  target: { host: string; port: number; method: string; reason: string },
): void {
  ctx.store
    .transaction((tx) =>
      tx.appendEvent({
        type: 'attempt.network-denied',
        runId: attempt.runId,
        taskId: attempt.taskId,
        attemptId: attempt.id,
        data: { host: target.host, port: target.port, method: target.method, reason: target.reason },
      }),
    )
    .catch((error: unknown) =>
      ctx.logger.warn('could not record a refused connection', {
        attemptId: attempt.id,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
}
