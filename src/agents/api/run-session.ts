import { realpath } from 'node:fs/promises';
import type { FinishReason, LanguageModel, ModelMessage, SystemModelMessage, ToolSet } from 'ai';
import { agentFailure } from '../../domain/index.js';
import type { AgentEvent, AgentFailure, SessionInput, SessionResult } from '../../domain/index.js';
import { priceOf } from '../pricing.js';
import type { Emit } from '../session.js';
import type { ApiConfig } from './api-config.js';
import { readContextFiles } from './gather-context.js';
import { createLanguageModel, systemMessage } from './model-factory.js';
import { modelFailure } from './model-errors.js';
import { buildTaskMessage } from './pack-context.js';
import type { PrefixCache } from './prefix-cache.js';
import type { Steering } from './steering.js';
import { streamTurn } from './stream-turn.js';
import { createTools } from './tools/index.js';
import { createUsageMeter } from './usage.js';

export interface RunApiSessionOptions {
  input: SessionInput;
  config: ApiConfig;
  prefixes: PrefixCache;
  steering: Steering;
  signal: AbortSignal;
  emit: Emit;
}

/** Why a turn that ended without an error still did not finish the task, or undefined when it did. */
function unfinished(
  reason: FinishReason | undefined,
  steps: number,
  config: ApiConfig,
): AgentFailure | undefined {
  switch (reason) {
    case 'stop':
    case 'other':
      return undefined;
    case 'tool-calls':
      return agentFailure(
        'task_failed',
        `stopped after ${steps} steps without finishing (max_steps ${config.maxSteps}) — raise agents.api.max_steps or split the task`,
      );
    case 'length':
      return agentFailure(
        'task_failed',
        `the model's reply was cut off at its output limit — raise agents.api.max_output_tokens`,
      );
    case 'content-filter':
      return agentFailure('task_failed', "the provider's content filter stopped the model's reply");
    case 'error':
    case undefined:
      // The stream broke off without an error part: the server's fault, worth another try.
      return agentFailure('server_error', 'the model stream ended with an error and no reply');
  }
}

const ABORTED = Symbol('aborted');

/**
 * Resolves when `signal` aborts. Raced against each turn so an abort ends the session at once even
 * if something inside the SDK keeps waiting; `dispose` drops the listener when the session ends.
 */
function abortBarrier(signal: AbortSignal): { promise: Promise<typeof ABORTED>; dispose: () => void } {
  let dispose = () => undefined as void;
  const promise = new Promise<typeof ABORTED>((resolve) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  return { promise, dispose: () => dispose() };
}

/** The API key from the session's own env, or why the session cannot start. */
function apiKeyOf(
  input: SessionInput,
  config: ApiConfig,
): { key: string | undefined } | { failure: AgentFailure } {
  if (config.apiKeyEnv === undefined) return { key: undefined };
  const key = input.env[config.apiKeyEnv];
  if (key === undefined || key === '') {
    return {
      failure: agentFailure(
        'auth',
        `${config.apiKeyEnv} is not set in the agent's environment — export it before running gaffer`,
        {
          hint: `export ${config.apiKeyEnv}=… (Gaffer passes the variable named by api_key_env to the agent)`,
        },
      ),
    };
  }
  return { key };
}

type Ending =
  { status: 'succeeded' | 'aborted'; error?: string } | { status: 'failed'; failure: AgentFailure };

const failedWith = (failure: AgentFailure): Ending => ({ status: 'failed', failure });

/** Everything one conversation with the model needs, prepared by {@link runApiSession}. */
interface Conversation {
  config: ApiConfig;
  model: LanguageModel;
  system: SystemModelMessage;
  firstMessage: string;
  tools: ToolSet;
  notes: Map<string, AgentEvent[]>;
  steering: Steering;
  meter: ReturnType<typeof createUsageMeter>;
  signal: AbortSignal;
  emit: Emit;
}

/** Turns until the model answers without tools, fails, or runs out of steps. */
async function converse(c: Conversation): Promise<Ending> {
  let messages: ModelMessage[] = [{ role: 'user', content: c.firstMessage }];
  let steps = 0;
  for (;;) {
    const turn = await streamTurn({
      model: c.model,
      system: c.system,
      messages,
      tools: c.tools,
      maxSteps: c.config.maxSteps - steps,
      maxRetries: c.config.maxRetries,
      temperature: c.config.temperature,
      maxOutputTokens: c.config.maxOutputTokens,
      signal: c.signal,
      steering: c.steering,
      meter: c.meter,
      notes: c.notes,
      emit: c.emit,
    });
    steps += turn.steps;
    if (c.signal.aborted) return { status: 'aborted', error: 'aborted' };
    if (turn.error !== undefined) return failedWith(modelFailure(turn.error, c.config));
    const problem = unfinished(turn.finishReason, steps, c.config);
    if (problem !== undefined) return failedWith(problem);
    // A message sent after the model's last step still deserves an answer.
    if (!turn.steeredLate || steps >= c.config.maxSteps) return { status: 'succeeded' };
    messages = turn.messages;
    c.steering.reset();
  }
}

/**
 * One api-agent session: packs the prompt (stable prefix + task message), lets the model work
 * with the built-in tools through the AI SDK's step loop, and reports how it ended.
 */
export async function runApiSession(options: RunApiSessionOptions): Promise<SessionResult> {
  const { input, config, signal, steering } = options;
  const meter = createUsageMeter(priceOf(config.model, config.pricing));
  let usageEmitted = false;
  const emit: Emit = (event) => {
    if (event.type === 'usage') usageEmitted = true;
    options.emit(event);
  };
  const end = (ending: Ending): SessionResult => {
    if (!usageEmitted) emit({ type: 'usage', usage: meter.total });
    if (ending.status === 'failed') {
      const { failure } = ending;
      return { status: 'failed', usage: meter.total, error: failure.message, failure };
    }
    const { status, error } = ending;
    return error === undefined ? { status, usage: meter.total } : { status, usage: meter.total, error };
  };

  const apiKey = apiKeyOf(input, config);
  if ('failure' in apiKey) return end(failedWith(apiKey.failure));

  const prefix = await options.prefixes.get(input.runId, input.cwd, config.contextTokens);
  const task = buildTaskMessage({
    prompt: input.prompt,
    task: input.task,
    contextFiles: await readContextFiles(input.cwd, input.task.context_files),
    prefix,
    budgetTokens: config.contextTokens,
  });
  const notes = new Map<string, AgentEvent[]>();
  const running = new Set<Promise<unknown>>();
  const tools = createTools({
    running,
    cwd: input.cwd,
    realCwd: await realpath(input.cwd),
    protectedPaths: input.protectedPaths,
    env: input.env,
    ...(input.sandbox ? { sandbox: input.sandbox } : {}),
    commandTimeoutS: config.commandTimeoutS,
    ask: input.ask,
    note: (id, event) => notes.set(id, [...(notes.get(id) ?? []), event]),
    onProcess: (pid, command) => emit({ type: 'process', pid, pgid: pid, command }),
  });

  const barrier = abortBarrier(signal);
  try {
    const ending = await Promise.race([
      converse({
        config,
        model: createLanguageModel(config, apiKey.key),
        system: systemMessage(config, prefix.text),
        firstMessage: task.text,
        tools,
        notes,
        steering,
        meter,
        signal,
        emit,
      }),
      barrier.promise,
    ]);
    // An abort does not wait for the tools; their commands' process trees must be gone first.
    await Promise.allSettled([...running]);
    return end(ending === ABORTED || signal.aborted ? { status: 'aborted', error: 'aborted' } : ending);
  } finally {
    barrier.dispose();
  }
}
