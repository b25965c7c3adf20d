import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { SpawnOptions, SpawnedProcess } from '@anthropic-ai/claude-agent-sdk';
import type { CommandSandbox } from '../../domain/index.js';
import { describeCommand } from '../../process/describe-command.js';
import { killProcessGroup, trackProcessGroup } from '../../process/run-process.js';

const STDERR_TAIL_CHARS = 4000;

/**
 * The `claude` child of one session, spawned for the SDK (its `spawnClaudeCodeProcess` hook) in a
 * process group of its own. The SDK's own shutdown signals only the direct child and waits up to
 * seven seconds; owning the group lets an abort end the whole tree (shells, test runners the
 * agent started) within our five-second promise.
 */
export interface ClaudeProcess {
  /** Pass as `spawnClaudeCodeProcess`. */
  spawn(options: SpawnOptions): SpawnedProcess;
  /** The child's pid (and so its process group id) once spawned. */
  readonly pid: number | undefined;
  /** The last few thousand characters Claude Code wrote to stderr. */
  stderrTail(): string;
  /** Resolves once the child has exited (at once when it never started). */
  exited(): Promise<void>;
  /** Ends the group: SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  kill(graceMs: number): Promise<void>;
}

export interface ClaudeProcessOptions {
  /**
   * Called with the child's pid (its process group id) and command once it runs; the adapter
   * emits it as a `process` event so the engine can end the group after a crash.
   */
  onSpawn?: (pid: number, command: string) => void;
  /** The session's OS sandbox: claude runs inside it, with everything it starts. */
  sandbox?: CommandSandbox;
}

export function createClaudeProcess(settings: ClaudeProcessOptions = {}): ClaudeProcess {
  let child: ChildProcess | undefined;
  let exit: Promise<void> = Promise.resolve();
  let tail = '';
  return {
    spawn(options) {
      const env = Object.fromEntries(
        Object.entries(options.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      );
      const wrapped = settings.sandbox?.wrap([options.command, ...options.args], env) ?? {
        argv: [options.command, ...options.args],
        env,
      };
      const started = spawn(wrapped.argv[0] ?? options.command, wrapped.argv.slice(1), {
        cwd: options.cwd,
        env: wrapped.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      child = started;
      const untrack = trackProcessGroup(started.pid);
      // The binary alone: Claude Code's arguments carry the system prompt.
      if (started.pid !== undefined) settings.onSpawn?.(started.pid, describeCommand([options.command]));
      exit = new Promise<void>((resolve) => {
        started.once('exit', () => resolve());
        started.once('error', () => resolve());
      }).then(() => {
        killProcessGroup(started.pid, 'SIGKILL'); // leftovers must not outlive it
        untrack();
      });
      started.stderr?.setEncoding('utf8');
      started.stderr?.on('data', (text: string) => {
        tail = (tail + text).slice(-STDERR_TAIL_CHARS);
      });
      return started;
    },
    get pid() {
      return child?.pid;
    },
    stderrTail: () => tail.trim(),
    exited: () => exit,
    async kill(graceMs) {
      const pid = child?.pid;
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
        killProcessGroup(pid, 'SIGKILL');
        return;
      }
      killProcessGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          killProcessGroup(pid, 'SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exit, forced]);
      clearTimeout(timer);
      await exit;
    },
  };
}
