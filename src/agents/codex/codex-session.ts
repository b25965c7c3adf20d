import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Codex } from '@openai/codex-sdk';
import { agentFailure } from '../../domain/index.js';
import type { AgentFailure, SessionInput, SessionResult } from '../../domain/index.js';
import { priceOf } from '../pricing.js';
import type { Emit } from '../session.js';
import { resolveCodexBinary } from './codex-binary.js';
import type { CodexBinary } from './codex-binary.js';
import { writeCodexLauncher } from './codex-launcher.js';
import type { CodexConfig } from './codex-config.js';
import { createCodexEventTranslator } from './codex-events.js';
import type { CodexEventTranslator } from './codex-events.js';
import { codexFailure, describeCrash, describeTurnFailure, isRateLimited } from './codex-failure.js';
import type { FailureContext } from './codex-failure.js';
import { codexEnv, codexHomeFor, codexOptions, threadOptions } from './codex-options.js';
import { runTurn } from './codex-turn.js';
import { waitForProcessesToLeave } from './worktree-processes.js';

/**
 * How long we wait, at most, for the commands codex ran to die after it: the same bound as
 * `runProcess` gives any process tree. They usually leave within milliseconds (the sandbox's PID
 * namespace goes with codex), but on a loaded machine the kernel can take over a second.
 */
const LEAVE_MS = 5_000;
const MAX_BACKOFF_S = 60;

function failureContext(config: CodexConfig): FailureContext {
  return {
    ...(config.model === undefined ? {} : { model: config.model }),
    ...(config.provider === undefined
      ? {}
      : {
          providerName: config.provider.name,
          baseUrl: config.provider.base_url,
          keyVar: config.provider.env_key,
        }),
  };
}

/** Waits `seconds` unless `signal` aborts first; false when it did. */
async function backOff(seconds: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(seconds * 1000, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the turn, and reruns it after a capped, doubling wait when the provider rate-limited it
 * before codex did anything (codex retries 5xx itself but gives up on 429 at once). A turn
 * that already ran tools is not rerun: that could repeat its side effects.
 */
async function runWithRetries(
  codex: Codex,
  input: SessionInput,
  config: CodexConfig,
  signal: AbortSignal,
  translator: CodexEventTranslator,
  emit: Emit,
): Promise<{ thrown?: unknown; threadId: string | null }> {
  const options = threadOptions(config, input.cwd);
  for (let retry = 0; ; retry += 1) {
    const thread =
      input.resumeSessionId === undefined
        ? codex.startThread(options)
        : codex.resumeThread(input.resumeSessionId, options);
    const { thrown } = await runTurn(thread, input.prompt, signal, translator);
    const { state } = translator;
    const failure = state.failure ?? state.lastError;
    const retryable = failure !== undefined && isRateLimited(failure) && !state.activity && !state.completed;
    if (signal.aborted || !retryable || retry >= config.rateLimitRetries)
      return { thrown, threadId: thread.id };
    const wait = Math.min(config.rateLimitBackoffS * 2 ** retry, MAX_BACKOFF_S);
    emit({
      type: 'output',
      stream: 'stderr',
      text: `codex: rate-limited (${failure}); retrying in ${wait}s (${retry + 1}/${config.rateLimitRetries})`,
    });
    if (!(await backOff(wait, signal))) return { thrown, threadId: thread.id };
    translator.clearFailure();
  }
}

/** One codex session: set up the binary, home and env, run the turn, and judge the outcome. */
export async function runCodexSession(
  input: SessionInput,
  given: CodexConfig,
  signal: AbortSignal,
  emit: Emit,
): Promise<SessionResult> {
  let config = given;
  const binary = await resolveCodexBinary(config.executable, input.env.PATH);
  if (binary === undefined) {
    const error = 'codex CLI not found: install it (npm i -g @openai/codex) or set agents.codex.executable';
    return {
      status: 'failed',
      error,
      failure: agentFailure('binary_missing', error, {
        hint: 'npm i -g @openai/codex, or set agents.codex.executable',
      }),
    };
  }
  // The engine hands each task a private copy of the user's codex home (see SandboxNeeds.state).
  const codexHome = input.stateDir ?? codexHomeFor(config, input.env);
  if (codexHome === undefined) {
    const error = 'no codex home: set agents.codex.codex_home (or HOME/CODEX_HOME in the environment)';
    return {
      status: 'failed',
      error,
      failure: agentFailure('config', error, { hint: 'set agents.codex.codex_home' }),
    };
  }
  await mkdir(codexHome, { recursive: true });

  // Codex's own sandbox is bubblewrap too, which cannot nest inside ours: ours contains it instead.
  const contained = input.sandbox?.enabled === true;
  if (contained) config = { ...config, sandbox: 'danger-full-access' };
  if (config.sandbox === 'danger-full-access' && !contained) {
    emit({
      type: 'output',
      stream: 'stderr',
      text: 'codex: running WITHOUT a sandbox (agents.codex.sandbox)',
    });
  }
  const env = codexEnv(input, config, binary, codexHome, input.env);
  const launcher =
    contained && input.sandbox ? await writeCodexLauncher(input.sandbox, binary.path, env) : undefined;
  try {
    return await runContained(
      input,
      config,
      signal,
      emit,
      { ...binary, path: launcher?.path ?? binary.path },
      env,
    );
  } finally {
    await launcher?.dispose();
  }
}

async function runContained(
  input: SessionInput,
  config: CodexConfig,
  signal: AbortSignal,
  emit: Emit,
  binary: CodexBinary,
  env: Record<string, string>,
): Promise<SessionResult> {
  const codex = new Codex(codexOptions(config, binary, env));
  const translator = createCodexEventTranslator({
    cwd: input.cwd,
    emit,
    price: config.model === undefined ? undefined : priceOf(config.model, config.pricing),
  });

  // One signal for codex: the engine's abort or our own timeout.
  const stop = new AbortController();
  let timedOut = false;
  const onAbort = () => stop.abort();
  // The engine may have aborted while we were setting up: a listener added now would never fire.
  if (signal.aborted) stop.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, config.timeoutS * 1000);
  let outcome: { thrown?: unknown; threadId: string | null };
  try {
    outcome = await runWithRetries(codex, input, config, stop.signal, translator, emit);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
  // Codex's sandboxed commands die with it, a moment later; the engine must find the worktree idle.
  await waitForProcessesToLeave(input.cwd, LEAVE_MS);

  const { state } = translator;
  const nativeSessionId = state.threadId ?? outcome.threadId ?? input.resumeSessionId;
  const end = (status: SessionResult['status'], error?: string, failure?: AgentFailure): SessionResult => ({
    status,
    ...(nativeSessionId === null || nativeSessionId === undefined ? {} : { nativeSessionId }),
    usage: state.usage,
    ...(error === undefined ? {} : { error }),
    ...(failure === undefined ? {} : { failure }),
  });
  const fail = (message: string, failure: AgentFailure) => end('failed', message, failure);
  const context = failureContext(config);
  if (timedOut) {
    const message = `codex timed out after ${config.timeoutS}s (agents.codex.timeout_s)`;
    return fail(message, agentFailure('timeout', message));
  }
  if (signal.aborted) return end('aborted', 'aborted');
  if (state.failure !== undefined) {
    const message = describeTurnFailure(state.failure, context);
    return fail(message, codexFailure(state.failure, message, context));
  }
  if (outcome.thrown !== undefined) {
    const message = describeCrash(outcome.thrown, state.lastError, context);
    // Classify codex's own words, not our message: its hints would match patterns of their own.
    const raw = outcome.thrown instanceof Error ? outcome.thrown.message : JSON.stringify(outcome.thrown);
    return fail(message, codexFailure(state.lastError ?? raw, message, context));
  }
  if (!state.completed) {
    const why = state.lastError === undefined ? '' : `: ${state.lastError}`;
    const message = `codex ended without completing its turn${why}`;
    return fail(message, codexFailure(state.lastError ?? '', message, context));
  }
  return end('succeeded');
}
