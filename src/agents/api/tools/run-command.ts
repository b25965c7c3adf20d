import { tool } from 'ai';
import { z } from 'zod';
import { runProcess } from '../../../process/run-process.js';
import { checkCommand } from '../../policy/tool-policy.js';
import { guarded } from './tool-context.js';
import type { ToolContext } from './tool-context.js';
import { PolicyRefusal } from './tool-paths.js';

/** The model sees the tail of a command's output; test runners put their verdict last. */
const TAIL_CHARS = 12_000;

/** `run_command(command, timeout_s?)`: a shell command in the worktree, after the deny list. */
export function runCommandTool(ctx: ToolContext) {
  return tool({
    description: `Run a shell command (sh -c) in the worktree and return its exit code and output tail. timeout_s defaults to and is capped at ${ctx.commandTimeoutS}.`,
    inputSchema: z.object({ command: z.string().min(1), timeout_s: z.number().positive().nullish() }),
    execute: (input, options) =>
      guarded(ctx, 'run_command', input, options, async () => {
        const decision = checkCommand(ctx.cwd, input.command);
        if (!decision.allowed) throw new PolicyRefusal(decision.reason);
        const timeoutS = Math.min(input.timeout_s ?? ctx.commandTimeoutS, ctx.commandTimeoutS);
        // Gaffer never builds shell strings from untrusted text for its own processes. This tool
        // is different: its input *is* a shell command by nature (pipes, &&, globs are what the
        // model asks for), and it is handed to sh whole, as one argv element we never interpolate
        // into. What guards it is the deny list above, the worktree as cwd, the session's explicit
        // environment, the timeout, and runProcess killing the whole process group on abort.
        // A tool the SDK starts after the session was stopped must not start a process at all.
        if (options.abortSignal?.aborted) return 'aborted: the session was stopped';
        const shell = ['/bin/sh', '-c', input.command];
        const wrapped = ctx.sandbox?.wrap(shell, ctx.env) ?? { argv: shell, env: ctx.env };
        const run = runProcess(wrapped.argv, {
          cwd: ctx.cwd,
          env: wrapped.env,
          timeoutMs: timeoutS * 1000,
          signal: options.abortSignal,
          keepChars: TAIL_CHARS,
          onSpawn: (pid) => ctx.onProcess(pid, `sh -c ${input.command.slice(0, 200)}`),
        });
        ctx.running.add(run);
        const outcome = await run.finally(() => ctx.running.delete(run));
        // Nobody awaits a tool after an abort (the session has already ended): a rejection here would go unhandled.
        if (outcome.aborted) return 'aborted: the session was stopped';
        const head = outcome.timedOut
          ? `timed out after ${timeoutS}s; the command was killed`
          : outcome.exitCode === null
            ? `killed by ${outcome.signal ?? 'a signal'}`
            : `exit code ${outcome.exitCode}`;
        const cut = outcome.output.length >= TAIL_CHARS ? '[output cut to its tail]\n' : '';
        return outcome.output.trim() === '' ? `${head} (no output)` : `${head}\n${cut}${outcome.output}`;
      }),
  });
}
