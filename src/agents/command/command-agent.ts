import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { userError } from '../../domain/index.js';
import type { AgentAdapter, AgentSession, SessionInput, SessionResult } from '../../domain/index.js';
import { runProcess } from '../../process/run-process.js';
import { createLineSplitter, lastLines } from '../line-splitter.js';
import { createSession } from '../session.js';
import type { Emit } from '../session.js';
import { buildArgv, parseCommandConfig } from './command-config.js';
import type { CommandConfig } from './command-config.js';
import { findBinary } from './find-binary.js';

const NAME = 'command';
const TAIL_LINES = 20;

/** The engine's explicit env plus the extra parent variables the config names. */
function childEnv(input: SessionInput, names: readonly string[]): Record<string, string> {
  const extra: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) extra[name] = value;
  }
  return { ...extra, ...input.env };
}

async function runCommand(
  input: SessionInput,
  config: CommandConfig,
  signal: AbortSignal,
  emit: Emit,
): Promise<SessionResult> {
  // The prompt file lives outside the worktree so it never ends up in the attempt's diff.
  const promptDir =
    config.promptVia === 'file' ? await mkdtemp(path.join(os.tmpdir(), 'gaffer-prompt-')) : undefined;
  const splitters = {
    stdout: createLineSplitter((text) => emit({ type: 'output', stream: 'stdout', text })),
    stderr: createLineSplitter((text) => emit({ type: 'output', stream: 'stderr', text })),
  };
  try {
    const promptFile = promptDir === undefined ? undefined : path.join(promptDir, 'prompt.md');
    if (promptFile !== undefined) await writeFile(promptFile, input.prompt, { mode: 0o600 });
    const argv = buildArgv(config, input.prompt, promptFile);
    let outcome;
    try {
      outcome = await runProcess(argv, {
        cwd: input.cwd,
        env: childEnv(input, config.env),
        signal,
        timeoutMs: config.timeoutS * 1000,
        stdin: config.promptVia === 'stdin' ? input.prompt : undefined,
        onOutput: (stream, text) => splitters[stream].write(text),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { status: 'failed', error: `cannot start agent "${argv[0] ?? ''}": ${reason}` };
    }
    splitters.stdout.flush();
    splitters.stderr.flush();
    if (outcome.aborted) return { status: 'aborted', error: 'aborted' };
    const tail = lastLines(outcome.output, TAIL_LINES);
    const withTail = (message: string) => (tail === '' ? message : `${message}\n${tail}`);
    if (outcome.timedOut) return { status: 'failed', error: withTail(`timed out after ${config.timeoutS}s`) };
    if (outcome.exitCode !== null && config.okExitCodes.includes(outcome.exitCode))
      return { status: 'succeeded' };
    const how =
      outcome.exitCode === null
        ? `killed by ${outcome.signal ?? 'a signal'}`
        : `exit code ${outcome.exitCode}`;
    return { status: 'failed', error: withTail(how) };
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
  return {
    name: NAME,
    capabilities: { resume: false, steer: false, permissionHook: false, questions: false, usage: false },
    async preflight(config) {
      const parsed = parseCommandConfig(config);
      if (!parsed.success) {
        throw userError(
          'GAFFER_BAD_INPUT',
          `invalid command agent config: ${parsed.error}`,
          'set agents.command.argv in the plan, e.g. argv: [my-agent, --prompt, "{prompt}"]',
        );
      }
      const binary = parsed.config.argv[0] ?? '';
      if ((await findBinary(binary, process.env.PATH)) === undefined) {
        throw userError(
          'GAFFER_AGENT_MISSING',
          `agent binary "${binary}" not found`,
          'install it or set agents.command.argv in the plan',
          { binary },
        );
      }
    },
    start(input, signal): AgentSession {
      return createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        run: async (emit) => {
          const parsed = parseCommandConfig(input.config);
          if (!parsed.success)
            return { status: 'failed', error: `invalid command agent config: ${parsed.error}` };
          return runCommand(input, parsed.config, signal, emit);
        },
      });
    },
  };
}
