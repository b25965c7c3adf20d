import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentFailure, CancelledError } from '../../domain/index.js';
import type { AgentFailure, CommandSandbox } from '../../domain/index.js';
import { describeCommand } from '../../process/describe-command.js';
import { runProcess } from '../../process/run-process.js';
import { lastLines } from '../line-splitter.js';
import { createOutputPump } from '../output-pump.js';
import type { Backlog, Emit } from '../session.js';
import { resolveInside } from '../worktree-path.js';
import type { ScriptStep } from './script-config.js';

/** What a step needs from its session. */
export interface StepContext {
  cwd: string;
  env: Record<string, string>;
  /** The session's OS sandbox: `run` steps go through it. */
  sandbox?: CommandSandbox;
  signal: AbortSignal;
  emit: Emit;
  /** How far the session's reader is behind: a `run` step's child waits while it is full. */
  backlog: Backlog;
  ask?: (question: string) => Promise<string>;
  /**
   * Counts a `fail` step with `times` for this task and says whether it still fails: the count
   * lives in the adapter, so a retried session of the same task sees the earlier ones.
   */
  failsAgain?: (stepKey: string, times: number) => boolean;
  /** Identifies the step for {@link StepContext.failsAgain}. */
  stepKey?: string;
}

/** How a step went: the tool result to report and, when the session must end, how. */
export interface StepOutcome {
  output: string;
  isError?: boolean;
  /** Characters of file content written, for the fake usage. */
  written?: number;
  /** Spending a `spend` step reports: added to the session's usage, which streams at once. */
  spent?: { tokens: number; costUsd: number };
  stop?: { status: 'failed' | 'aborted'; error: string; failure?: AgentFailure };
}

/** A failed step; the session fails as failed work unless `failure` says otherwise. */
const fail = (error: string, failure: AgentFailure = agentFailure('task_failed', error)): StepOutcome => ({
  output: error,
  isError: true,
  stop: { status: 'failed', error, failure },
});
const aborted = (): StepOutcome => ({
  output: 'aborted',
  isError: true,
  stop: { status: 'aborted', error: 'aborted' },
});

/** Resolves with `promise`, or rejects with CancelledError as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function writeStep(
  cwd: string,
  args: { path: string; content: string },
  mode: 'write' | 'append',
): Promise<StepOutcome> {
  // Validation already rejected escapes; resolving again guards against a changed cwd.
  const target = resolveInside(cwd, args.path);
  if (target === undefined) return fail(`path "${args.path}" must stay inside the worktree`);
  await mkdir(path.dirname(target), { recursive: true });
  await (mode === 'write' ? writeFile(target, args.content) : appendFile(target, args.content));
  const verb = mode === 'write' ? 'wrote' : 'appended';
  return { output: `${verb} ${args.content.length} chars to ${args.path}`, written: args.content.length };
}

async function runStep(
  context: StepContext,
  args: { argv: string[]; timeout_ms?: number },
): Promise<StepOutcome> {
  const output = createOutputPump(context.emit, context.backlog);
  let outcome;
  try {
    const wrapped = context.sandbox?.wrap(args.argv, context.env) ?? { argv: args.argv, env: context.env };
    outcome = await runProcess(wrapped.argv, {
      cwd: context.cwd,
      env: wrapped.env,
      signal: context.signal,
      timeoutMs: args.timeout_ms,
      // Backpressure: while the engine is behind, the child's pipes are not read.
      onOutput: (stream, text) => output.write(stream, text),
      onSpawn: (pid) =>
        context.emit({ type: 'process', pid, pgid: pid, command: describeCommand(args.argv) }),
    });
  } catch (error) {
    const message = `cannot start "${args.argv[0] ?? ''}": ${error instanceof Error ? error.message : String(error)}`;
    return fail(
      message,
      agentFailure('binary_missing', message, { hint: "fix the argv of the script's run step" }),
    );
  }
  await output.flush();
  if (outcome.aborted) return aborted();
  const tail = lastLines(outcome.output, 20);
  const program = args.argv.join(' ');
  if (outcome.timedOut) {
    const message = `"${program}" timed out after ${args.timeout_ms ?? 0} ms\n${tail}`.trimEnd();
    return fail(message, agentFailure('timeout', message));
  }
  if (outcome.exitCode !== 0) {
    const how =
      outcome.exitCode === null
        ? `was killed by ${outcome.signal ?? 'a signal'}`
        : `exited with ${outcome.exitCode}`;
    return fail(`"${program}" ${how}\n${tail}`.trimEnd());
  }
  return { output: tail };
}

async function failStep(
  context: StepContext,
  args: Extract<ScriptStep, { kind: 'fail' }>['args'],
): Promise<StepOutcome> {
  if (args.times !== undefined && context.failsAgain?.(context.stepKey ?? '', args.times) === false)
    return { output: `failed ${args.times} time(s) already; passing` };
  const extra = {
    ...(args.retry_after_ms === undefined ? {} : { retryAfterMs: args.retry_after_ms }),
    ...(args.hint === undefined ? {} : { hint: args.hint }),
  };
  return fail(args.message, agentFailure(args.kind, args.message, extra));
}

async function askStep(context: StepContext, question: string): Promise<StepOutcome> {
  context.emit({ type: 'question', question });
  if (!context.ask) return { output: 'no one to ask; carrying on' };
  const answer = await untilAborted(context.ask(question), context.signal);
  context.emit({ type: 'question', question, answer });
  return { output: answer };
}

/** Performs one script step in the session's worktree. Throws only on I/O errors and aborts. */
export async function performStep(step: ScriptStep, context: StepContext): Promise<StepOutcome> {
  if (context.signal.aborted) return aborted();
  switch (step.kind) {
    case 'write':
    case 'append':
      return writeStep(context.cwd, step.args, step.kind);
    case 'delete': {
      const target = resolveInside(context.cwd, step.args);
      if (target === undefined) return fail(`path "${step.args}" must stay inside the worktree`);
      // force: a restarted attempt may find the file already gone, which is the wanted state.
      await rm(target, { recursive: true, force: true });
      return { output: `deleted ${step.args}` };
    }
    case 'run':
      return runStep(context, step.args);
    case 'sleep_ms':
      await sleep(step.args, undefined, { signal: context.signal });
      return { output: `slept ${step.args} ms` };
    case 'fail':
      return failStep(context, step.args);
    case 'ask':
      return askStep(context, step.args);
    case 'spend':
      return {
        output: `spent ${step.args.tokens} tokens, $${step.args.cost_usd}`,
        spent: { tokens: step.args.tokens, costUsd: step.args.cost_usd },
      };
    case 'say':
      context.emit({ type: 'text', text: step.args });
      return { output: 'said' };
  }
}
