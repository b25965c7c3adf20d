import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { agentFailure, userError } from '../../domain/index.js';
import type { AgentAdapter, AgentFailure, SessionInput, SessionResult } from '../../domain/index.js';
import { describeCommand } from '../../process/describe-command.js';
import { runProcess } from '../../process/run-process.js';
import { defineAgent } from '../define-agent.js';
import { lastLines } from '../line-splitter.js';
import { createOutputPump } from '../output-pump.js';
import { createSession } from '../session.js';
import type { Backlog, Emit } from '../session.js';
import { buildArgv, commandConfigSchema } from './command-config.js';
import type { CommandConfig } from './command-config.js';
import { findBinary } from './find-binary.js';
import { agentIdentityEnv } from './identity-env.js';

const NAME = 'command';
const TAIL_LINES = 20;
const ARGV_HINT = 'install it or set agents.command.argv in the plan';

const failed = (error: string, failure: AgentFailure): SessionResult => ({
  status: 'failed',
  error,
  failure,
});

async function runCommand(
  input: SessionInput,
  config: CommandConfig,
  signal: AbortSignal,
  emit: Emit,
  backlog: Backlog,
): Promise<SessionResult> {
  // The prompt file lives outside the worktree so it never ends up in the attempt's diff.
  // Inside the sandbox's own temporary directory, the one place outside the worktree it can read.
  const promptDir =
    config.promptVia === 'file'
      ? await mkdtemp(path.join(input.sandbox?.tmpDir ?? os.tmpdir(), 'gaffer-prompt-'))
      : undefined;
  const output = createOutputPump(emit, backlog);
  try {
    const promptFile = promptDir === undefined ? undefined : path.join(promptDir, 'prompt.md');
    if (promptFile !== undefined) await writeFile(promptFile, input.prompt, { mode: 0o600 });
    const argv = buildArgv(config, input.prompt, promptFile);
    let outcome;
    try {
      // The engine already added the variables `agents.command.env` names.
      const env = { ...input.env, ...agentIdentityEnv(input) };
      const wrapped = input.sandbox?.wrap(argv, env) ?? { argv, env };
      outcome = await runProcess(wrapped.argv, {
        cwd: input.cwd,
        env: wrapped.env,
        signal,
        timeoutMs: config.timeoutS * 1000,
        stdin: config.promptVia === 'stdin' ? input.prompt : undefined,
        // Backpressure: while the engine is behind, the child's pipes are not read.
        onOutput: (stream, text) => output.write(stream, text),
        // The configured argv, placeholders and all: the prompt itself is no name for a process.
        onSpawn: (pid) => emit({ type: 'process', pid, pgid: pid, command: describeCommand(config.argv) }),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `cannot start agent "${argv[0] ?? ''}": ${reason}`;
      return failed(message, agentFailure('binary_missing', message, { hint: ARGV_HINT }));
    }
    await output.flush();
    if (outcome.aborted) return { status: 'aborted', error: 'aborted' };
    const tail = lastLines(outcome.output, TAIL_LINES);
    const withTail = (message: string) => (tail === '' ? message : `${message}\n${tail}`);
    if (outcome.timedOut) {
      const message = withTail(`timed out after ${config.timeoutS}s`);
      return failed(message, agentFailure('timeout', message));
    }
    if (outcome.exitCode !== null && config.okExitCodes.includes(outcome.exitCode))
      return { status: 'succeeded' };
    if (outcome.exitCode === null) {
      // Killed by someone else (the OOM killer, a user): not a verdict on the work.
      const message = withTail(`killed by ${outcome.signal ?? 'a signal'}`);
      return failed(message, agentFailure('crashed', message));
    }
    const message = withTail(`exit code ${outcome.exitCode}`);
    return failed(message, agentFailure('task_failed', message));
  } finally {
    if (promptDir !== undefined) await rm(promptDir, { recursive: true, force: true });
  }
}

/**
 * Any CLI as the agent: the prompt goes in as an argument (`{prompt}`), a file
 * (`{prompt_file}`) or stdin; its output lines become `output` events and its exit code the
 * result. It cannot be steered, resumed or asked for usage.
 */
export function createCommandAgent(): AgentAdapter {
  return defineAgent({
    name: NAME,
    capabilities: { resume: false, steer: false, permissionHook: false, questions: false, usage: false },
    configSchema: commandConfigSchema,
    configHint: 'set agents.command.argv in the plan, e.g. argv: [my-agent, --prompt, "{prompt}"]',
    async preflight(config, env) {
      const binary = config.argv[0] ?? '';
      if ((await findBinary(binary, env.PATH)) === undefined) {
        throw userError('GAFFER_AGENT_MISSING', `agent binary "${binary}" not found`, ARGV_HINT, { binary });
      }
    },
    start(input, config, signal) {
      return createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        run: (emit, backlog) => runCommand(input, config, signal, emit, backlog),
      });
    },
  });
}
