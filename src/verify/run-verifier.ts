import { stat } from 'node:fs/promises';
import type { CommandSandbox, VerifierResult } from '../domain/index.js';
import { runProcess } from '../process/run-process.js';
import { usefulTail } from './useful-tail.js';
import { formatArgv, type VerifierCommand } from './verifier-command.js';

export interface RunVerifierOptions {
  cwd: string;
  /** The whole environment of the command (see `allowlistedEnv`). */
  env: Record<string, string>;
  /** The process tree is killed after this long and the verifier fails. */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Called with the check's pid (its process group id) and command line as soon as it runs, so
   * the engine can record it on the attempt and end it after a crash.
   */
  onSpawn?: (pid: number, command: string) => void;
  /** The OS sandbox the check runs in; without one it runs as it is. */
  sandbox?: CommandSandbox;
}

/**
 * Runs one verifier and judges it by its exit code. Never throws: a timeout or a binary that
 * cannot be started is a failed result with a message in `output` the agent can act on. An abort
 * also yields a failed result ("cancelled"), like `runProcess` reports it; a cancelled check says
 * nothing about the work, so callers check their signal before acting on the result.
 */
export async function runVerifier(
  cmd: VerifierCommand,
  options: RunVerifierOptions,
): Promise<VerifierResult> {
  const command = formatArgv(cmd.argv);
  const base = { name: cmd.name, command };
  const started = Date.now();
  const cancelled = (output: string): VerifierResult => ({
    ...base,
    passed: false,
    exitCode: null,
    durationMs: Date.now() - started,
    timedOut: false,
    output: [output, `gaffer: ${cmd.name} was cancelled`].filter((part) => part !== '').join('\n'),
  });
  if (options.signal?.aborted) return cancelled('');
  let outcome;
  try {
    const wrapped = options.sandbox?.wrap(cmd.argv, options.env) ?? { argv: [...cmd.argv], env: options.env };
    outcome = await runProcess(wrapped.argv, {
      cwd: options.cwd,
      env: wrapped.env,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      ...(options.onSpawn === undefined ? {} : { onSpawn: (pid: number) => options.onSpawn?.(pid, command) }),
    });
  } catch (error) {
    return {
      ...base,
      passed: false,
      exitCode: null,
      durationMs: Date.now() - started,
      timedOut: false,
      output: await startFailure(cmd, options.cwd, error),
    };
  }
  const tail = usefulTail(outcome.output);
  if (outcome.aborted) return cancelled(tail);
  const notes: string[] = [];
  if (outcome.timedOut)
    notes.push(
      `gaffer: ${cmd.name} timed out after ${formatTimeout(options.timeoutMs)} and was killed with its process group (raise verifiers.timeout_s if it needs longer)`,
    );
  else if (outcome.exitCode === null)
    notes.push(`gaffer: ${cmd.name} was killed by ${outcome.signal ?? 'a signal'}`);
  return {
    ...base,
    passed: !outcome.timedOut && outcome.exitCode === 0,
    exitCode: outcome.exitCode,
    durationMs: outcome.durationMs,
    timedOut: outcome.timedOut,
    output: [tail, ...notes].filter((part) => part !== '').join('\n'),
  };
}

/** A message that says what to fix: spawn reports a missing cwd as a missing binary. */
async function startFailure(cmd: VerifierCommand, cwd: string, error: unknown): Promise<string> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const binary = cmd.argv[0] ?? '';
  if (code === 'ENOENT') {
    const cwdExists = await stat(cwd).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (!cwdExists) return `gaffer: cannot run ${cmd.name}: the directory ${cwd} does not exist`;
    return `gaffer: cannot run ${cmd.name}: command not found: ${binary} (install it, or set verifiers.commands.${cmd.name} / verifiers.skip in the plan)`;
  }
  if (code === 'EACCES') return `gaffer: cannot run ${cmd.name}: permission denied: ${binary}`;
  const message = error instanceof Error ? error.message : String(error);
  return `gaffer: cannot run ${cmd.name}: ${message}`;
}

/** `30 s` for whole seconds (the plan sets `timeout_s`), `250 ms` below a second. */
function formatTimeout(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
