import { query } from '@anthropic-ai/claude-agent-sdk';
import type { Options, Query, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { agentFailure } from '../../domain/index.js';
import type { ModelPrice, SessionInput, SessionResult, Usage } from '../../domain/index.js';
import type { Emit } from '../session.js';
import { ASK_SERVER_NAME, createAskQuestionServer } from './ask-question-server.js';
import { CLAUDE_INSTALL_HINT, resolveClaudeBinary } from './claude-binary.js';
import { crashFailure, resultFailure } from './claude-failure.js';
import { configEnv } from './claude-code-config.js';
import type { ClaudeCodeConfig } from './claude-code-config.js';
import { createClaudeProcess } from './claude-process.js';
import type { ClaudeProcess } from './claude-process.js';
import { createPermissionGate } from './permission-gate.js';
import { eventsOf, resultError, usageOf } from './sdk-events.js';
import type { UserInput } from './user-input.js';

/**
 * Built-in tools a Gaffer session never gets: the task's questions go through `ask_question`
 * (which reaches the engine), and Gaffer owns worktrees.
 */
const ALWAYS_DISALLOWED = ['AskUserQuestion', 'EnterWorktree', 'ExitWorktree'];

/** How long an interrupt may take before we stop waiting and close the process. */
const INTERRUPT_WAIT_MS = 750;
/** After closing, how long Claude Code gets to exit by itself before its group is signalled. */
const EXIT_WAIT_MS = 1000;
/** Between SIGTERM and SIGKILL of the group. */
const KILL_GRACE_MS = 1500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The child's environment: the engine's, the config's extras over it (what the plan says wins
 * over the ambient environment, as in `sandboxNeeds`, so the sandbox opens the host claude
 * connects to), the task's private config dir when the engine made one, and Claude Code's
 * offline knobs.
 */
function claudeEnv(input: SessionInput, config: ClaudeCodeConfig): Record<string, string> {
  return {
    ...input.env,
    ...configEnv(config, input.env),
    ...(input.stateDir === undefined ? {} : { CLAUDE_CONFIG_DIR: input.stateDir }),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_AGENT_SDK_CLIENT_APP: 'gaffer',
    ...(config.maxRetries === undefined ? {} : { CLAUDE_CODE_MAX_RETRIES: String(config.maxRetries) }),
  };
}

function sdkOptions(
  input: SessionInput,
  config: ClaudeCodeConfig,
  binary: string,
  child: ClaudeProcess,
  controller: AbortController,
  emit: Emit,
): Options {
  const gate = createPermissionGate({ cwd: input.cwd, protectedPaths: input.protectedPaths, emit });
  return {
    cwd: input.cwd,
    env: claudeEnv(input, config),
    pathToClaudeCodeExecutable: binary,
    spawnClaudeCodeProcess: (options) => child.spawn(options),
    abortController: controller,
    permissionMode: config.permissionMode,
    canUseTool: gate.canUseTool,
    hooks: gate.hooks,
    // ask_question is granted by canUseTool; naming it here would shadow the callback.
    allowedTools: config.allowedTools,
    disallowedTools: [...ALWAYS_DISALLOWED, ...config.disallowedTools],
    mcpServers: { [ASK_SERVER_NAME]: createAskQuestionServer(input.ask, emit) },
    // The CLI we drive may predate `initialize` delivery (2.1.261); our only server is in-process.
    mcpServersDelivery: 'argv',
    // Echoes each user message when Claude Code takes it, so we know when steering is consumed.
    extraArgs: { 'replay-user-messages': null },
    ...(config.model === undefined ? {} : { model: config.model }),
    ...(config.maxTurns === undefined ? {} : { maxTurns: config.maxTurns }),
    ...(config.systemPromptAppend === undefined
      ? {}
      : { systemPrompt: { type: 'preset', preset: 'claude_code', append: config.systemPromptAppend } }),
    ...(input.resumeSessionId === undefined ? {} : { resume: input.resumeSessionId }),
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Resolves with what `work` resolves to, or undefined once `ms` have passed; never rejects. */
async function settleWithin<T>(work: () => Promise<T>, ms: number): Promise<T | undefined> {
  const attempt = Promise.resolve()
    .then(work)
    .catch(() => undefined);
  return Promise.race([attempt, sleep(ms).then(() => undefined)]);
}

/**
 * Runs one Claude Code session through the Agent SDK in streaming-input mode, turning SDK
 * messages into events, and ends it on the final result, an abort, or `timeout_s`. `userInput`
 * already holds the prompt.
 */
export async function runClaudeCode(
  input: SessionInput,
  config: ClaudeCodeConfig,
  userInput: UserInput,
  signal: AbortSignal,
  emit: Emit,
): Promise<SessionResult> {
  const binary = await resolveClaudeBinary(config.executable, input.env.PATH);
  if (binary === undefined) {
    const wanted = config.executable ?? 'claude';
    const error = `Claude Code binary "${wanted}" not found: ${CLAUDE_INSTALL_HINT}`;
    return {
      status: 'failed',
      error,
      failure: agentFailure('binary_missing', error, { hint: CLAUDE_INSTALL_HINT }),
    };
  }

  // The claude process leads its own group: recorded, so a resume after a crash can end it.
  const child = createClaudeProcess({
    onSpawn: (pid, command) => emit({ type: 'process', pid, pgid: pid, command }),
    ...(input.sandbox ? { sandbox: input.sandbox } : {}),
  });
  const controller = new AbortController();
  let session: Query | undefined;
  let stopping: Promise<void> | undefined;
  let timedOut = false;

  // Interrupt first, so Claude Code records the turn as interrupted and the session resumes cleanly.
  const stop = () => {
    stopping ??= (async () => {
      userInput.close();
      const running = session;
      if (running !== undefined) await settleWithin(() => running.interrupt(), INTERRUPT_WAIT_MS);
      controller.abort();
      await settleWithin(() => child.exited(), EXIT_WAIT_MS);
      await child.kill(KILL_GRACE_MS); // reaps the group; the leader may be gone already
    })();
    return stopping;
  };
  const onAbort = () => void stop();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    void stop();
  }, config.timeoutS * 1000);

  let sessionId = input.resumeSessionId;
  let usage: Usage | undefined;
  let last: SDKResultMessage | undefined;
  let crash: string | undefined;
  try {
    session = query({
      prompt: userInput.messages,
      options: sdkOptions(input, config, binary, child, controller, emit),
    });
    for await (const message of session) {
      if (message.session_id !== undefined && message.session_id !== sessionId) {
        emit({ type: 'session', nativeSessionId: message.session_id });
      }
      sessionId = message.session_id;
      if (message.type === 'user' && 'isReplay' in message && message.isReplay && message.uuid !== undefined)
        userInput.taken(message.uuid);
      for (const event of eventsOf(message)) emit(event);
      if (message.type !== 'result') continue;
      last = message;
      usage = usageOf(message, planPricing(input.config));
      emit({ type: 'usage', usage });
      // A steering message not yet taken means another turn follows; a failure ends the session.
      if (userInput.settled || resultError(message) !== undefined) userInput.close();
    }
  } catch (error) {
    // The SDK throws after an error result too (the CLI exits non-zero); the result says more.
    crash = messageOf(error);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    userInput.close();
  }
  if (stopping !== undefined) await stopping;
  else {
    const exited = await settleWithin(() => child.exited().then(() => true), EXIT_WAIT_MS * 5);
    if (exited !== true) await child.kill(KILL_GRACE_MS);
  }

  const base = {
    ...(sessionId === undefined ? {} : { nativeSessionId: sessionId }),
    ...(usage ? { usage } : {}),
  };
  if (signal.aborted) return { ...base, status: 'aborted', error: 'aborted' };
  if (timedOut) {
    const error = `timed out after ${config.timeoutS}s`;
    return { ...base, status: 'failed', error, failure: agentFailure('timeout', error) };
  }
  if (last !== undefined) {
    const error = resultError(last);
    return error === undefined
      ? { ...base, status: 'succeeded' }
      : { ...base, status: 'failed', error, failure: resultFailure(last, error) };
  }
  const stderr = child.stderrTail();
  const why = crash ?? 'Claude Code ended without a result';
  const error = stderr === '' ? why : `${why}\n${stderr}`;
  return { ...base, status: 'failed', error, failure: crashFailure(error) };
}

/** The plan's `pricing` table, merged into every agent's config by the engine. */
function planPricing(config: Record<string, unknown>): Record<string, ModelPrice> {
  const pricing = config.pricing;
  return typeof pricing === 'object' && pricing !== null ? (pricing as Record<string, ModelPrice>) : {};
}
