import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { GAFFER_BIN } from '../support/cli.js';

/**
 * The built binary (`npm run build` first, as `npm test` does) started as a user starts it, in
 * `cwd` with an empty HOME and no colour; what it prints is kept, and it is killed after the test.
 */
export function spawnGaffer(args: readonly string[], cwd: string) {
  const home = mkdtempSync(join(tmpdir(), 'gaffer-home-'));
  const child = spawn(process.execPath, [GAFFER_BIN, ...args], {
    cwd,
    env: { ...process.env, HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const printed = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (printed.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (printed.stderr += chunk.toString()));
  return { child, exited, printed };
}
