import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Output } from '../../src/cli/output.js';

/** The built CLI, as a user runs it (`npm test` builds before testing). */
export const GAFFER_BIN = fileURLToPath(new URL('../../bin/gaffer.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An `Output` that keeps what the CLI wrote to it. */
export interface CapturedOutput extends Output {
  readonly stdout: string;
  readonly stderr: string;
}

/** A capturing `Output`; by default it looks like a pipe, as in CI: no TTY, no colour, 100 columns. */
export function captureOutput(
  options: { isTTY?: boolean; color?: boolean; columns?: number } = {},
): CapturedOutput {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    isTTY: options.isTTY ?? false,
    color: options.color ?? false,
    columns: options.columns ?? 100,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/**
 * Runs `gaffer -C <cwd> <args>` in this process through `main`, as fast as a function call. Only for
 * what does not need a process of its own: it shares this process's environment, signals and exit,
 * so tests of those (or of the built binary) use `runCli`.
 */
export async function runMain(args: string[], cwd: string, output = captureOutput()): Promise<CliResult> {
  // Loaded on first use, so files that only spawn the binary do not load the whole CLI.
  const { main } = await import('../../src/cli/main.js');
  // -C always: `main` falls back to process.cwd(), which is not the test's repository.
  const code = await main(['-C', cwd, ...args], output);
  return { code, signal: null, stdout: output.stdout, stderr: output.stderr };
}

/** Runs `gaffer <args>` in `cwd` as a child process. */
export function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GAFFER_BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts `gaffer <args>` and SIGKILLs it after `killAfterMs`; resolves when it is gone. */
export function runCliAndKill(args: string[], cwd: string, killAfterMs: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GAFFER_BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
